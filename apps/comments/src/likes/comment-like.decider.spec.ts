import { deciderSpec } from '@parley/testing';
import { type Comment, commentDecider } from '../comments/comment.decider';
import {
  type CommentLikeEvent,
  commentLikeDecider,
  type LikeComment,
} from './comment-like.decider';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const spec = deciderSpec(commentLikeDecider, () => NOW);

const comment = (changes: Partial<Comment> = {}): Comment => ({
  ...commentDecider.evolve(null, {
    type: 'parley.comment.posted.v3',
    data: {
      commentId: 'c-1',
      postId: 'post-1',
      parentId: null,
      ancestorIds: [],
      ancestorAuthorIds: [],
      depth: 1,
      author: { kind: 'account', accountId: 'bea', displayName: 'Bea' },
      body: 'Nice',
      html: '<p>Nice</p>',
      status: 'approved',
      moderationReason: null,
      notify: 'none',
      postAuthorId: 'ann',
      postTitle: 'T',
      postSlug: 't',
      viewerTokenHash: null,
      postedAt: NOW.toISOString(),
    },
  })!,
  ...changes,
});

const like = (type: LikeComment['type'], target: Comment | null = comment()): LikeComment => ({
  type,
  commentId: 'c-1',
  accountId: 'cy',
  comment: target,
});
const liked: CommentLikeEvent = {
  type: 'parley.comment.liked.v1',
  data: { commentId: 'c-1', postId: 'post-1', accountId: 'cy', likedAt: NOW.toISOString() },
};
const unliked: CommentLikeEvent = {
  type: 'parley.comment.unliked.v1',
  data: { commentId: 'c-1', postId: 'post-1', accountId: 'cy', unlikedAt: NOW.toISOString() },
};

describe('comment likes', () => {
  it('likes a visible comment, and liking twice changes nothing', () => {
    spec.given([]).when(like('LikeComment')).then([liked]);
    spec.given([liked]).when(like('LikeComment')).then([]);
    spec.given([liked, unliked]).when(like('LikeComment')).then([liked]);
  });

  it('unlikes a liked comment, and unliking what is not liked changes nothing', () => {
    spec.given([liked]).when(like('UnlikeComment')).then([unliked]);
    spec.given([]).when(like('UnlikeComment')).then([]);
    spec.given([liked, unliked]).when(like('UnlikeComment')).then([]);
  });

  it('refuses to like a comment nobody can see', () => {
    spec.given([]).when(like('LikeComment', null)).thenError('CommentNotFound');
    spec
      .given([])
      .when(like('LikeComment', comment({ status: 'pending' })))
      .thenError('CommentNotFound');
    spec
      .given([])
      .when(like('LikeComment', comment({ deleted: true })))
      .thenError('CommentNotFound');
  });

  it('answers CommentNotFound to an unlike of a comment that never existed', () => {
    spec.given([]).when(like('UnlikeComment', null)).thenError('CommentNotFound');
  });
});
