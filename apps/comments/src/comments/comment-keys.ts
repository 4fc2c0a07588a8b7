import { hash, randomBytes } from 'node:crypto';
import type { CommentAuthor } from '@parley/contracts';
import { comparableText } from '@parley/text';
import { v7 as uuidv7 } from 'uuid';

function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

/** A new comment id: a UUID v7, so ids sort by posting time and sort keys need no lookup. */
export function newCommentId(now: Date): string {
  return uuidv7({ msecs: now.getTime() });
}

/** A guest is known by their address, whatever its capitals, without keeping it readable. */
export function guestIdOf(email: string): string {
  return sha256(`parley-guest:${email.trim().toLowerCase()}`);
}

/** One key per person who writes: an account or a guest's address. */
export function authorKeyOf(
  author: { kind: 'account'; accountId: string } | { kind: 'guest'; guestId: string },
): string {
  return author.kind === 'account' ? `account:${author.accountId}` : `guest:${author.guestId}`;
}

export function authorKeyOfComment(author: CommentAuthor): string {
  return authorKeyOf(author);
}

/** What an erased author's comments are filed under: one key for everyone erased, so no one is told apart. */
export const ERASED_AUTHOR_KEY = 'erased';

/** Seeds an avatar picture: stable per author, and it tells nothing about them. */
export function avatarSeedOf(authorKey: string): string {
  return sha256(`parley-avatar:${authorKey}`).slice(0, 16);
}

/** What makes two comments "the same text": the same words as a reader compares them. */
export function textKeyOf(body: string): string {
  return sha256(comparableText(body));
}

/** A token that lets a guest see their own held comment; only its hash is kept. */
export function newViewerToken(): string {
  return randomBytes(24).toString('base64url');
}

export function viewerTokenHashOf(token: string): string {
  return sha256(`parley-viewer:${token}`);
}
