import type { DomainEvent } from '@parley/contracts';
import { type Decider, type DomainError, domainError } from '@parley/eventstore';

/**
 * A slug belongs to one post for ever. Its stream (`slug-<slug>`) is created at version 0,
 * so of two posts racing for one slug the event store lets exactly one win.
 */
export type SlugReserved = DomainEvent<'parley.slug.reserved.v1'>;

export interface SlugReservation {
  postId: string | null;
}

export interface ReserveSlug {
  slug: string;
  postId: string;
}

export type SlugReservationError = DomainError<'SlugTaken'>;

export function slugStream(slug: string): string {
  return `slug-${slug}`;
}

export const slugReservationDecider: Decider<
  SlugReservation,
  ReserveSlug,
  SlugReserved,
  SlugReservationError
> = {
  initialState: { postId: null },
  evolve: (_state, event) => ({ postId: event.data.postId }),
  decide(command, state, now) {
    if (state.postId === command.postId) return [];
    if (state.postId !== null) {
      return domainError('SlugTaken', `The slug ${command.slug} belongs to another post`, {
        postId: state.postId,
      });
    }
    return [
      {
        type: 'parley.slug.reserved.v1',
        data: { slug: command.slug, postId: command.postId, reservedAt: now.toISOString() },
      },
    ];
  },
};
