import type { PostSummary, PostView } from '@parley/contracts';
import type { Post } from '../posts/post.decider';
import type { PostFigures } from './posts.projection';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A post as readers and its author see it: a draft, a scheduled post or a published one. */
export type VisiblePost = Omit<Post, 'exists' | 'status'> & {
  status: 'draft' | 'scheduled' | 'published';
};

export function isVisible<P extends Pick<Post, 'status'>>(
  post: P,
): post is P & { status: VisiblePost['status'] } {
  return post.status !== 'deleted';
}

/** When an auto-closing post stops taking comments: N days after its first publication. */
export function commentsCloseAt(post: Pick<Post, 'commentSettings' | 'firstPublishedAt'>) {
  const { mode, autoCloseDays } = post.commentSettings;
  if (mode !== 'auto-close' || autoCloseDays === null || post.firstPublishedAt === null)
    return null;
  return new Date(new Date(post.firstPublishedAt).getTime() + autoCloseDays * DAY_MS).toISOString();
}

export function postSummary(post: VisiblePost, figures: PostFigures, now: Date): PostSummary {
  const closeAt = commentsCloseAt(post);
  const open =
    post.status === 'published' &&
    (post.commentSettings.mode === 'open' ||
      (closeAt !== null && now.getTime() < new Date(closeAt).getTime()));
  return {
    id: post.postId,
    slug: post.slug,
    title: post.title,
    excerpt: post.excerpt,
    categories: post.categories,
    tags: post.tags,
    series: post.series,
    author: { id: post.authorId, displayName: post.authorName },
    status: post.status,
    revision: post.revision,
    publishAt: post.publishAt,
    publishedAt: post.firstPublishedAt,
    updatedAt: post.updatedAt,
    commentSettings: post.commentSettings,
    commentsOpen: open,
    commentsCloseAt: closeAt,
    commentCount: figures.commentCount,
    likeCount: figures.likeCount,
    likers: figures.likers,
  };
}

export function postView(post: VisiblePost, figures: PostFigures, now: Date): PostView {
  return { ...postSummary(post, figures, now), body: post.body, draftedAt: post.draftedAt };
}
