import type { ImportedFrom } from '@parley/contracts';
import type { Commit } from '@parley/eventstore';
import { oldCommit } from '@parley/testing';
import { likeStream } from '../likes/like.decider';
import { postStream } from '../posts/post-stream';

const SOURCE = '/parley/posts';

/** A post as a log written before v2 holds it: its author's name copied into its events. */
export interface OldPost {
  postId: string;
  authorId: string;
  /** The name the events copied (v1), or an imported post's byline. */
  authorName: string;
  slug: string;
  title: string;
  at: string;
  /** Published (v1, with the name) after it was drafted. */
  published?: boolean;
  imported?: ImportedFrom;
}

/** The commit of a `parley.post.drafted.v1` (and `published.v1`) copying the author's name. */
export function oldPostCommit(post: OldPost): Commit {
  const drafted = {
    type: 'parley.post.drafted.v1',
    data: {
      postId: post.postId,
      authorId: post.authorId,
      authorName: post.authorName,
      slug: post.slug,
      title: post.title,
      body: `${post.title}, written before v2.`,
      excerpt: `${post.title}, written before v2.`,
      autoExcerpt: true,
      categories: [],
      tags: [],
      series: null,
      commentSettings: { mode: 'open', autoCloseDays: null },
      draftedAt: post.at,
      ...(post.imported ? { imported: post.imported } : {}),
    },
  };
  const published = {
    type: 'parley.post.published.v1',
    data: {
      postId: post.postId,
      slug: post.slug,
      title: post.title,
      excerpt: `${post.title}, written before v2.`,
      authorId: post.authorId,
      authorName: post.authorName,
      firstPublication: true,
      publishedAt: post.at,
      publishedBy: post.imported ? null : post.authorId,
      ...(post.imported ? { imported: post.imported } : {}),
    },
  };
  return oldCommit(
    SOURCE,
    postStream(post.postId),
    1,
    post.published ? [drafted, published] : [drafted],
    post.at,
  );
}

/** The commit of a `parley.post.liked.v1` copying the reader's name. */
export function oldLikeCommit(like: {
  postId: string;
  accountId: string;
  displayName: string;
  at: string;
}): Commit {
  return oldCommit(
    SOURCE,
    likeStream(like.postId, like.accountId),
    1,
    [
      {
        type: 'parley.post.liked.v1',
        data: {
          postId: like.postId,
          accountId: like.accountId,
          displayName: like.displayName,
          likedAt: like.at,
        },
      },
    ],
    like.at,
  );
}
