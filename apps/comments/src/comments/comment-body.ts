import { COMMENT_BODY_MAX_CHARS, COMMENT_BODY_MIN_CHARS } from '@parley/contracts';

/** A body as it is kept: line endings unified, surrounding blank space removed. */
export function normalizeCommentBody(body: string): string {
  return body.replace(/\r\n?/g, '\n').trim();
}

/** Length in characters as people count them (code points, so an emoji is one). */
export function bodyLength(body: string): number {
  return [...body].length;
}

export function bodyLengthProblem(body: string): 'empty' | 'too-long' | null {
  const length = bodyLength(body);
  if (length < COMMENT_BODY_MIN_CHARS) return 'empty';
  if (length > COMMENT_BODY_MAX_CHARS) return 'too-long';
  return null;
}

/** Links in the rendered HTML (Markdown links, autolinked addresses and mailto links). */
export function countLinks(html: string): number {
  return (html.match(/<a\s[^>]*href=/gi) ?? []).length;
}
