import type { DomainEvent } from '@parley/contracts';
import { type Decider, type DomainError, domainError } from '@parley/eventstore';

/**
 * A key that belongs to one account for ever (an email address, the first-admin seat).
 * The stream is created at version 0, so of two racing claims the event store lets one win.
 */
export type Reserved = DomainEvent<'parley.identity.reserved.v1'>;

export interface Reservation {
  accountId: string | null;
}

export interface Reserve {
  key: string;
  accountId: string;
  now: Date;
}

export type ReservationError = DomainError<'AlreadyReserved'>;

export const reservationDecider: Decider<Reservation, Reserve, Reserved, ReservationError> = {
  initialState: { accountId: null },
  evolve: (_state, event) => ({ accountId: event.data.accountId }),
  decide(command, state) {
    if (state.accountId === command.accountId) return [];
    if (state.accountId !== null) {
      return domainError('AlreadyReserved', `${command.key} belongs to another account`, {
        accountId: state.accountId,
      });
    }
    return [
      {
        type: 'parley.identity.reserved.v1',
        data: {
          key: command.key,
          accountId: command.accountId,
          reservedAt: command.now.toISOString(),
        },
      },
    ];
  },
};
