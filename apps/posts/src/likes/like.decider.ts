import type { DomainEvent } from '@parley/contracts';
import { type Decider, type DomainError, assertNever, domainError } from '@parley/eventstore';
import type { Post } from '../posts/post.decider';

/** One reader's like of one post: a stream per relationship, `post-like-<postId>-<accountId>`. */
export type LikeEvent = DomainEvent<'parley.post.liked.v2' | 'parley.post.unliked.v1'>;

export interface Like {
  liked: boolean;
}

/** What the like needs to know of the post, read from the post's stream. */
export type LikedPost = Pick<Post, 'exists' | 'status'>;

export type LikeCommand =
  | { type: 'LikePost'; postId: string; accountId: string; post: LikedPost }
  | { type: 'UnlikePost'; postId: string; accountId: string; post: LikedPost };

export type LikeError = DomainError<'PostNotFound' | 'PostNotPublished'>;

export function likeStream(postId: string, accountId: string): string {
  return `post-like-${postId}-${accountId}`;
}

export const likeDecider: Decider<Like, LikeCommand, LikeEvent, LikeError> = {
  initialState: { liked: false },
  evolve(state, event) {
    switch (event.type) {
      case 'parley.post.liked.v2':
        return { liked: true };
      case 'parley.post.unliked.v1':
        return { liked: false };
      default:
        return assertNever(event, 'like event');
    }
  },
  decide(command, state, now) {
    const at = now.toISOString();
    switch (command.type) {
      case 'LikePost':
        if (!command.post.exists || command.post.status === 'deleted')
          return domainError('PostNotFound', 'There is no such post');
        if (command.post.status !== 'published')
          return domainError('PostNotPublished', 'Only a published post can be liked');
        if (state.liked) return [];
        return [
          {
            type: 'parley.post.liked.v2',
            data: { postId: command.postId, accountId: command.accountId, likedAt: at },
          },
        ];
      case 'UnlikePost':
        if (!command.post.exists || command.post.status === 'deleted')
          return domainError('PostNotFound', 'There is no such post');
        // Taking a like back needs no published post: a reader may do it at any time.
        if (!state.liked) return [];
        return [
          {
            type: 'parley.post.unliked.v1',
            data: { postId: command.postId, accountId: command.accountId, unlikedAt: at },
          },
        ];
      default:
        return assertNever(command, 'like command');
    }
  },
};
