import type { DomainEvent } from '@parley/contracts';
import { type Decider, type DomainError, assertNever, domainError } from '@parley/eventstore';

export type LoginThrottleEvent = DomainEvent<
  'parley.login.failed.v1' | 'parley.login.locked.v1' | 'parley.login.succeeded.v1'
>;

/** Wrong passwords allowed in the window before the address is locked. */
export const LOGIN_FAILURES_BEFORE_LOCK = 5;
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60_000;
export const FIRST_LOCKOUT_MS = 60_000;
/** No lockout lasts longer, so an attacker can delay the owner but never shut them out for good. */
export const LONGEST_LOCKOUT_MS = 15 * 60_000;
/** A day without a lockout and the next one is short again. */
export const LOCKOUTS_FORGOTTEN_AFTER_MS = 24 * 3600_000;

export interface LoginThrottle {
  /** Failures since the last lockout or success. */
  failures: string[];
  lockedAt: string;
  lockedUntil: string;
  lockouts: number;
}

export type LoginThrottleCommand =
  { type: 'RecordFailure'; key: string } | { type: 'RecordSuccess'; key: string };

export type LoginThrottleError = DomainError<'LockedOut'>;

/** Milliseconds until the address may try again, or 0. */
export function lockedFor(state: LoginThrottle, now: Date): number {
  return state.lockedUntil ? Math.max(0, Date.parse(state.lockedUntil) - now.getTime()) : 0;
}

function lockoutsInARow(state: LoginThrottle, now: Date): number {
  if (!state.lockedAt) return 0;
  return now.getTime() - Date.parse(state.lockedUntil) > LOCKOUTS_FORGOTTEN_AFTER_MS
    ? 0
    : state.lockouts;
}

/**
 * The login throttle of one address, on every replica alike: after a few wrong passwords in
 * a short time, the address is locked for a minute, then for twice as long each time again,
 * up to a quarter of an hour; a right password resets it.
 */
export const loginThrottleDecider: Decider<
  LoginThrottle,
  LoginThrottleCommand,
  LoginThrottleEvent,
  LoginThrottleError
> = {
  initialState: { failures: [], lockedAt: '', lockedUntil: '', lockouts: 0 },
  evolve(state, event) {
    switch (event.type) {
      case 'parley.login.failed.v1':
        return { ...state, failures: [...state.failures, event.data.failedAt] };
      case 'parley.login.locked.v1':
        return {
          failures: [],
          lockedAt: event.data.lockedAt,
          lockedUntil: event.data.until,
          lockouts: event.data.lockouts,
        };
      case 'parley.login.succeeded.v1':
        return { failures: [], lockedAt: '', lockedUntil: '', lockouts: 0 };
      default:
        return assertNever(event, 'login throttle event');
    }
  },
  decide(command, state, now) {
    const at = now.toISOString();
    switch (command.type) {
      case 'RecordFailure': {
        const wait = lockedFor(state, now);
        if (wait > 0)
          return domainError('LockedOut', 'Too many wrong passwords for this address', {
            retryAfterMs: wait,
          });
        const failed: LoginThrottleEvent = {
          type: 'parley.login.failed.v1',
          data: { key: command.key, failedAt: at },
        };
        const recent = state.failures.filter(
          (time) => now.getTime() - Date.parse(time) < LOGIN_FAILURE_WINDOW_MS,
        );
        if (recent.length + 1 < LOGIN_FAILURES_BEFORE_LOCK) return [failed];
        const lockouts = lockoutsInARow(state, now) + 1;
        const duration = Math.min(FIRST_LOCKOUT_MS * 2 ** (lockouts - 1), LONGEST_LOCKOUT_MS);
        return [
          failed,
          {
            type: 'parley.login.locked.v1',
            data: {
              key: command.key,
              lockedAt: at,
              until: new Date(now.getTime() + duration).toISOString(),
              lockouts,
            },
          },
        ];
      }
      case 'RecordSuccess':
        if (state.failures.length === 0 && state.lockouts === 0) return [];
        return [{ type: 'parley.login.succeeded.v1', data: { key: command.key, succeededAt: at } }];
      default:
        return assertNever(command, 'login throttle command');
    }
  },
};
