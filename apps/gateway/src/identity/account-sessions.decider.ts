import type { DomainEvent } from '@parley/contracts';
import type { Decider, DomainError } from '@parley/eventstore';

export type SessionListed = DomainEvent<'parley.identity.session-listed.v1'>;

/**
 * The latest sessions listed per account. An older one still alive is ended at its next
 * refresh instead (it started before the reset), and its access token expires meanwhile.
 */
export const LISTED_SESSIONS = 100;

export interface AccountSessions {
  sessionIds: string[];
}

export interface ListSession {
  accountId: string;
  sessionId: string;
}

/** The sessions an account has started: what a password reset ends at once. */
export const accountSessionsDecider: Decider<
  AccountSessions,
  ListSession,
  SessionListed,
  DomainError<never>
> = {
  initialState: { sessionIds: [] },
  evolve: (state, event) => ({
    sessionIds: [...state.sessionIds, event.data.sessionId].slice(-LISTED_SESSIONS),
  }),
  decide(command, state, now) {
    if (state.sessionIds.includes(command.sessionId)) return [];
    return [
      {
        type: 'parley.identity.session-listed.v1',
        data: {
          accountId: command.accountId,
          sessionId: command.sessionId,
          listedAt: now.toISOString(),
        },
      },
    ];
  },
};
