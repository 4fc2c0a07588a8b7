/**
 * A writer of an imported post without an account here is named by an id of this form (their
 * old blog's login, hashed with its site): only such a post keeps its old blog's byline, as
 * an account's name belongs to the account and is never copied into a post's events.
 */
export const IMPORTED_WRITER_ID_PREFIX = 'wordpress-';

/** Whether a post's author id names an imported writer without an account here. */
export function isImportedWriterId(authorId: string): boolean {
  return authorId.startsWith(IMPORTED_WRITER_ID_PREFIX);
}
