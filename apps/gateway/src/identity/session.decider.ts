import type { DomainEvent } from '@parley/contracts';
import { type Decider, type DomainError, assertNever, domainError } from '@parley/eventstore';

export type SessionEvent = DomainEvent<
  'parley.session.started.v1' | 'parley.session.refreshed.v1' | 'parley.session.ended.v1'
>;

export interface Session {
  exists: boolean;
  sessionId: string;
  accountId: string;
  currentHash: string;
  /** Hashes of refresh tokens already rotated away: presenting one again means it was stolen. */
  usedHashes: string[];
  /** The token rotated away last, and when: presented again within the grace window, it is a race. */
  previousHash: string;
  rotatedAt: string;
  expiresAt: string;
  startedAt: string;
  ended: boolean;
}

export type SessionCommand =
  | {
      type: 'Start';
      sessionId: string;
      accountId: string;
      refreshTokenHash: string;
      expiresAt: Date;
    }
  | {
      type: 'Refresh';
      presentedHash: string;
      /** Derived from the presented token, so the same token always has the same successor. */
      nextHash: string;
      expiresAt: Date;
    }
  | { type: 'End'; presentedHash: string }
  /** The account's password was reset: every session it had ends, whoever holds it. */
  | { type: 'Revoke' };

export type SessionError = DomainError<
  'SessionNotFound' | 'SessionEnded' | 'SessionExpired' | 'TokenMismatch' | 'SessionExists'
>;

/**
 * How long a just-rotated refresh token still yields its successor: two tabs refreshing at
 * once with one token both get the same new one instead of ending the session.
 */
export const REFRESH_GRACE_MS = 30_000;

/**
 * A login: one refresh token at a time, rotated on every refresh. A rotated-away token
 * presented again ends the session (whoever holds it, the thief or the owner, must log in),
 * unless it is the last one and comes back within the grace window for its own successor.
 */
export const sessionDecider: Decider<Session, SessionCommand, SessionEvent, SessionError> = {
  initialState: {
    exists: false,
    sessionId: '',
    accountId: '',
    currentHash: '',
    usedHashes: [],
    previousHash: '',
    rotatedAt: '',
    expiresAt: '',
    startedAt: '',
    ended: false,
  },
  evolve(state, event) {
    switch (event.type) {
      case 'parley.session.started.v1':
        return {
          ...state,
          exists: true,
          sessionId: event.data.sessionId,
          accountId: event.data.accountId,
          currentHash: event.data.refreshTokenHash,
          expiresAt: event.data.expiresAt,
          startedAt: event.data.startedAt,
        };
      case 'parley.session.refreshed.v1':
        return {
          ...state,
          usedHashes: [...state.usedHashes, state.currentHash],
          previousHash: state.currentHash,
          rotatedAt: event.data.refreshedAt,
          currentHash: event.data.refreshTokenHash,
          expiresAt: event.data.expiresAt,
        };
      case 'parley.session.ended.v1':
        return { ...state, ended: true };
      default:
        return assertNever(event, 'session event');
    }
  },
  decide(command, state, now) {
    const at = now.toISOString();
    switch (command.type) {
      case 'Start':
        if (state.exists) return domainError('SessionExists', 'This session exists already');
        return [
          {
            type: 'parley.session.started.v1',
            data: {
              sessionId: command.sessionId,
              accountId: command.accountId,
              refreshTokenHash: command.refreshTokenHash,
              startedAt: at,
              expiresAt: command.expiresAt.toISOString(),
            },
          },
        ];
      case 'Refresh': {
        if (!state.exists) return domainError('SessionNotFound', 'This session does not exist');
        if (state.ended) return domainError('SessionEnded', 'This session has ended; log in again');
        const { sessionId } = state;
        const raced =
          command.presentedHash === state.previousHash &&
          command.nextHash === state.currentHash &&
          now.getTime() - new Date(state.rotatedAt).getTime() <= REFRESH_GRACE_MS;
        // The successor is already the current token: the caller gets it too.
        if (raced) return [];
        if (state.usedHashes.includes(command.presentedHash)) {
          return [
            {
              type: 'parley.session.ended.v1',
              data: { sessionId, reason: 'reuse-detected', endedAt: at },
            },
          ];
        }
        if (command.presentedHash !== state.currentHash)
          return domainError('TokenMismatch', 'This refresh token is not valid');
        if (new Date(state.expiresAt) <= now) {
          return [
            {
              type: 'parley.session.ended.v1',
              data: { sessionId, reason: 'expired', endedAt: at },
            },
          ];
        }
        return [
          {
            type: 'parley.session.refreshed.v1',
            data: {
              sessionId,
              refreshTokenHash: command.nextHash,
              refreshedAt: at,
              expiresAt: command.expiresAt.toISOString(),
            },
          },
        ];
      }
      case 'End':
        if (!state.exists) return domainError('SessionNotFound', 'This session does not exist');
        if (state.ended) return [];
        if (command.presentedHash !== state.currentHash)
          return domainError('TokenMismatch', 'This refresh token is not valid');
        return [
          {
            type: 'parley.session.ended.v1',
            data: { sessionId: state.sessionId, reason: 'logout', endedAt: at },
          },
        ];
      case 'Revoke':
        if (!state.exists) return domainError('SessionNotFound', 'This session does not exist');
        if (state.ended) return [];
        return [
          {
            type: 'parley.session.ended.v1',
            data: { sessionId: state.sessionId, reason: 'password-reset', endedAt: at },
          },
        ];
      default:
        return assertNever(command, 'session command');
    }
  },
};
