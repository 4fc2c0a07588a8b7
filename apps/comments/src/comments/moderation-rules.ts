import type { CommentAuthor } from '@parley/contracts';
import type { CommentSettings } from '../settings/comment-settings.decider';
import { countLinks } from './comment-body';

/** Why a comment was not approved at once: the rule that held it or marked it spam. */
export type ModerationReason =
  'spam-word' | 'too-many-links' | 'hold-word' | 'approval-required' | 'first-comment';

export interface ModerationOutcome {
  status: 'approved' | 'pending' | 'spam';
  reason: ModerationReason | null;
}

export interface ContentToModerate {
  author: CommentAuthor;
  body: string;
  html: string;
}

function searchableText({ author, body }: ContentToModerate): string {
  const parts =
    author.kind === 'account'
      ? [body, author.displayName]
      : [body, author.name, author.email, author.url ?? ''];
  return parts.join('\n').toLowerCase();
}

function containsAny(text: string, words: readonly string[]): boolean {
  return words.some((word) => word.length > 0 && text.includes(word.toLowerCase()));
}

/**
 * WordPress's "hold a comment if it contains N or more links": held at N links, and 0 turns
 * the rule off (as WordPress reads 0), since holding at 0 links would hold every comment.
 */
export function holdsForLinks(links: number, maxLinks: number): boolean {
  return maxLinks > 0 && links >= maxLinks;
}

/**
 * The rules about what a comment says (WordPress's disallowed words, links and hold words):
 * applied at posting and again when an author edits an approved comment.
 */
export function contentRules(
  content: ContentToModerate,
  settings: CommentSettings,
): ModerationOutcome | null {
  const text = searchableText(content);
  if (containsAny(text, settings.spamWords)) return { status: 'spam', reason: 'spam-word' };
  if (holdsForLinks(countLinks(content.html), settings.maxLinks))
    return { status: 'pending', reason: 'too-many-links' };
  if (containsAny(text, settings.holdWords)) return { status: 'pending', reason: 'hold-word' };
  return null;
}

/** What happens to a new comment, in WordPress's order: spam words, links, hold words, approval rules. */
export function moderationAtPosting(
  content: ContentToModerate,
  settings: CommentSettings,
  context: { byModerator: boolean; hasApprovedComment: boolean },
): ModerationOutcome {
  // Moderators and the post's author are trusted with their own words.
  if (context.byModerator) return { status: 'approved', reason: null };
  const byContent = contentRules(content, settings);
  if (byContent) return byContent;
  if (settings.requireApproval) return { status: 'pending', reason: 'approval-required' };
  const needsHistory =
    content.author.kind === 'guest'
      ? settings.requirePreviouslyApproved.guests
      : settings.requirePreviouslyApproved.accounts;
  if (needsHistory && !context.hasApprovedComment)
    return { status: 'pending', reason: 'first-comment' };
  return { status: 'approved', reason: null };
}
