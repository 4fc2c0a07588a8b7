import type { DomainEvent } from '@parley/contracts';
import { type Decider, type DomainError, domainError } from '@parley/eventstore';
import type { CommentState } from '../comments/comment.decider';

/** One stream per liker and comment, so no stream grows with a comment's popularity. */
export const commentLikeStream = (commentId: string, accountId: string): string =>
  `comment-like-${commentId}-${accountId}`;

export type CommentLikeEvent = DomainEvent<'parley.comment.liked.v1' | 'parley.comment.unliked.v1'>;

export interface CommentLikeState {
  liked: boolean;
}

export interface LikeComment {
  type: 'LikeComment' | 'UnlikeComment';
  commentId: string;
  accountId: string;
  /** The comment liked, folded from its stream. */
  comment: CommentState;
}

export type CommentLikeError = DomainError<'CommentNotFound'>;

/** Liking and unliking a comment: both idempotent. */
export const commentLikeDecider: Decider<
  CommentLikeState,
  LikeComment,
  CommentLikeEvent,
  CommentLikeError
> = {
  initialState: { liked: false },
  evolve: (_state, event) => ({ liked: event.type === 'parley.comment.liked.v1' }),
  decide(command, state, now) {
    const comment = command.comment;
    if (command.type === 'LikeComment') {
      if (!comment || comment.deleted || comment.status !== 'approved')
        return domainError('CommentNotFound', 'There is no such comment');
      if (state.liked) return [];
      return [
        {
          type: 'parley.comment.liked.v1',
          data: {
            commentId: command.commentId,
            postId: comment.postId,
            accountId: command.accountId,
            likedAt: now.toISOString(),
          },
        },
      ];
    }
    // A comment that never existed is missing for an unlike too, liked or not.
    if (!comment) return domainError('CommentNotFound', 'There is no such comment');
    if (!state.liked) return [];
    return [
      {
        type: 'parley.comment.unliked.v1',
        data: {
          commentId: command.commentId,
          postId: comment.postId,
          accountId: command.accountId,
          unlikedAt: now.toISOString(),
        },
      },
    ];
  },
};
