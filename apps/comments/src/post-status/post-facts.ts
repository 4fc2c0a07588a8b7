import type { PostCommentSettings } from '@parley/contracts';

/** What the comments service knows of a post, from the posts topic. */
export interface PostFacts {
  postId: string;
  authorId: string;
  title: string;
  slug: string;
  status: 'draft' | 'scheduled' | 'published' | 'unpublished';
  deleted: boolean;
  commentSettings: PostCommentSettings;
  /** The post's first publication; auto-closing counts from it. */
  firstPublishedAt: string | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** When an auto-closing post stops taking comments; null when it does not close by itself. */
export function commentsCloseAt(post: PostFacts): Date | null {
  const { mode, autoCloseDays } = post.commentSettings;
  if (mode !== 'auto-close' || autoCloseDays === null || post.firstPublishedAt === null)
    return null;
  return new Date(Date.parse(post.firstPublishedAt) + autoCloseDays * DAY_MS);
}

export type CommentsRefusal = 'PostNotFound' | 'PostNotPublished' | 'CommentsClosed';

/** Why a post takes no comment right now, or null when it takes them. */
export function refusalOf(post: PostFacts | null, now: Date): CommentsRefusal | null {
  if (!post || post.deleted) return 'PostNotFound';
  if (post.status !== 'published') return 'PostNotPublished';
  if (post.commentSettings.mode === 'closed') return 'CommentsClosed';
  const closeAt = commentsCloseAt(post);
  if (closeAt && now.getTime() >= closeAt.getTime()) return 'CommentsClosed';
  return null;
}
