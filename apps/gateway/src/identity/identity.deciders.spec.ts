import { deciderSpec } from '@parley/testing';
import { type AccountEvent, accountDecider } from './account.decider';
import {
  LONGEST_LOCKOUT_MS,
  type LoginThrottleEvent,
  lockedFor,
  loginThrottleDecider,
} from './login-throttle.decider';
import { type MailSent, mailQuotaDecider } from './mail-quota.decider';
import { reservationDecider } from './reservation.decider';
import { REFRESH_GRACE_MS, type SessionEvent, sessionDecider } from './session.decider';

const at = '2026-11-24T12:00:00.000Z';
const account = deciderSpec(accountDecider);
const session = deciderSpec(sessionDecider);
const reservation = deciderSpec(reservationDecider);

const registered: AccountEvent = {
  type: 'parley.account.registered.v2',
  data: {
    accountId: 'a1',
    email: 'amy@example.com',
    displayName: 'Amy',
    roles: ['reader'],
    registeredAt: at,
  },
};
const admin = { accountId: 'root', roles: ['admin' as const] };
const registerAmy = {
  type: 'Register' as const,
  accountId: 'a1',
  email: 'amy@example.com',
  displayName: 'Amy',
  passwordHash: 'h',
  roles: ['reader' as const],
};

describe('the account decider', () => {
  it('registers an account with its credentials kept apart', () => {
    account
      .given([])
      .when(registerAmy)
      .then([
        registered,
        {
          type: 'parley.credentials.password-set.v1',
          data: { accountId: 'a1', passwordHash: 'h', setAt: at },
        },
      ]);
  });

  it('refuses to register twice', () => {
    account.given([registered]).when(registerAmy).thenError('AccountExists');
  });

  it('verifies the address the link was sent to, once', () => {
    const verified: AccountEvent = {
      type: 'parley.account.email-verified.v2',
      data: { accountId: 'a1', email: 'amy@example.com', verifiedAt: at },
    };
    account
      .given([registered])
      .when({ type: 'VerifyEmail', email: 'amy@example.com' })
      .then([verified]);
    account
      .given([registered, verified])
      .when({ type: 'VerifyEmail', email: 'amy@example.com' })
      .then([]);
    account
      .given([registered])
      .when({ type: 'VerifyEmail', email: 'old@example.com' })
      .thenError('EmailMismatch');
  });

  it('changes the display name, and does nothing for the same name', () => {
    account
      .given([registered])
      .when({ type: 'ChangeDisplayName', displayName: 'Amy P.' })
      .then([
        {
          type: 'parley.account.display-name-changed.v2',
          data: { accountId: 'a1', displayName: 'Amy P.', changedAt: at },
        },
      ]);
    account.given([registered]).when({ type: 'ChangeDisplayName', displayName: 'Amy' }).then([]);
  });

  it('lets only an admin grant roles, and no admin demote themselves', () => {
    account
      .given([registered])
      .when({ type: 'SetRoles', roles: ['reader', 'author'], by: admin })
      .then([
        {
          type: 'parley.account.roles-changed.v1',
          data: { accountId: 'a1', roles: ['reader', 'author'], changedBy: 'root', changedAt: at },
        },
      ]);
    account
      .given([registered])
      .when({ type: 'SetRoles', roles: ['author'], by: { accountId: 'a2', roles: ['moderator'] } })
      .thenError('NotAllowed');
    account
      .given([registered])
      .when({ type: 'SetRoles', roles: ['reader'], by: admin })
      .then([]);
    const rootRegistered: AccountEvent = {
      ...registered,
      data: { ...registered.data, accountId: 'root', roles: ['admin'] },
    };
    account
      .given([rootRegistered])
      .when({ type: 'SetRoles', roles: ['reader'], by: admin })
      .thenError('CannotDemoteSelf');
  });

  describe('erasure', () => {
    const erased: AccountEvent = {
      type: 'parley.account.erased.v1',
      data: { accountId: 'a1', erasedAt: at },
    };

    it('erases an account once, and keeps nothing of the person', () => {
      account.given([registered]).when({ type: 'Erase' }).then([erased]);
      account.given([registered, erased]).when({ type: 'Erase' }).then([]);
      const state = [registered, erased].reduce(accountDecider.evolve, accountDecider.initialState);
      expect(state).toMatchObject({
        exists: false,
        erased: true,
        email: '',
        displayName: '',
        passwordHash: '',
      });
    });

    it('refuses to erase an admin, so that the blog keeps one', () => {
      account
        .given([{ ...registered, data: { ...registered.data, roles: ['admin'] } }])
        .when({ type: 'Erase' })
        .thenError('CannotEraseAdmin');
    });

    it('takes no other command, nor a second registration under its id', () => {
      account
        .given([registered, erased])
        .when({ type: 'ChangeDisplayName', displayName: 'Back' })
        .thenError('AccountNotFound');
      account.given([registered, erased]).when(registerAmy).thenError('AccountExists');
      account.given([]).when({ type: 'Erase' }).thenError('AccountNotFound');
    });
  });

  describe('password reset', () => {
    const requested = (resetId: string, expiresAt: string): AccountEvent => ({
      type: 'parley.credentials.reset-requested.v1',
      data: { accountId: 'a1', resetId, requestedAt: at, expiresAt },
    });
    const later = '2026-11-24T13:00:00.000Z';
    const resetWith = (resetId: string): AccountEvent => ({
      type: 'parley.credentials.password-set.v1',
      data: { accountId: 'a1', passwordHash: 'new', setAt: at, resetId },
    });

    it('records a mailed link with its expiry', () => {
      account
        .given([registered])
        .when({ type: 'RequestPasswordReset', resetId: 'r1', expiresAt: new Date(later) })
        .then([requested('r1', later)]);
    });

    it('sets the password with a link once, and no more', () => {
      account
        .given([registered, requested('r1', later)])
        .when({ type: 'ResetPassword', resetId: 'r1', passwordHash: 'new' })
        .then([resetWith('r1')]);
      account
        .given([registered, requested('r1', later), resetWith('r1')])
        .when({ type: 'ResetPassword', resetId: 'r1', passwordHash: 'again' })
        .thenError('ResetLinkInvalid');
    });

    it('refuses a link that expired, was never mailed, or came before another reset', () => {
      account
        .given([registered, requested('r1', at)])
        .when({ type: 'ResetPassword', resetId: 'r1', passwordHash: 'new' })
        .thenError('ResetLinkInvalid');
      account
        .given([registered, requested('r1', later)])
        .when({ type: 'ResetPassword', resetId: 'forged', passwordHash: 'new' })
        .thenError('ResetLinkInvalid');
      account
        .given([registered, requested('r1', later), requested('r2', later), resetWith('r2')])
        .when({ type: 'ResetPassword', resetId: 'r1', passwordHash: 'new' })
        .thenError('ResetLinkInvalid');
    });
  });

  it('refuses commands on an account that does not exist', () => {
    account
      .given([])
      .when({ type: 'ChangeDisplayName', displayName: 'X' })
      .thenError('AccountNotFound');
  });
});

describe('the session decider', () => {
  const started: SessionEvent = {
    type: 'parley.session.started.v1',
    data: {
      sessionId: 's1',
      accountId: 'a1',
      refreshTokenHash: 'h1',
      startedAt: at,
      expiresAt: '2026-12-24T12:00:00.000Z',
    },
  };
  const refreshed: SessionEvent = {
    type: 'parley.session.refreshed.v1',
    data: {
      sessionId: 's1',
      refreshTokenHash: 'h2',
      refreshedAt: at,
      expiresAt: '2026-12-24T12:00:00.000Z',
    },
  };
  const later = new Date('2026-12-24T12:00:00.000Z');
  const refresh = (presentedHash: string, nextHash: string) =>
    ({ type: 'Refresh', presentedHash, nextHash, expiresAt: later }) as const;
  const ended = (
    reason: 'logout' | 'reuse-detected' | 'expired' | 'password-reset',
    endedAt = at,
  ): SessionEvent => ({
    type: 'parley.session.ended.v1',
    data: { sessionId: 's1', reason, endedAt },
  });

  it('rotates the refresh token', () => {
    session.given([started]).when(refresh('h1', 'h2')).then([refreshed]);
  });

  it('ends the session when a rotated-away token comes back', () => {
    session
      .given([started, refreshed])
      .when(refresh('h1', 'h3'))
      .then([ended('reuse-detected')]);
  });

  it('gives a just-rotated token presented again within the grace window the same successor', () => {
    const soon = new Date(Date.parse(at) + REFRESH_GRACE_MS);
    deciderSpec(sessionDecider, () => soon)
      .given([started, refreshed])
      .when(refresh('h1', 'h2'))
      .then([]);
    // Another successor than the current one is no race: the token is being reused.
    deciderSpec(sessionDecider, () => soon)
      .given([started, refreshed])
      .when(refresh('h1', 'h9'))
      .then([ended('reuse-detected', soon.toISOString())]);
  });

  it('ends the session when the rotated token comes back after the grace window', () => {
    const late = new Date(Date.parse(at) + REFRESH_GRACE_MS + 1);
    deciderSpec(sessionDecider, () => late)
      .given([started, refreshed])
      .when(refresh('h1', 'h2'))
      .then([ended('reuse-detected', late.toISOString())]);
  });

  it('refuses an unknown token and a refresh after the end', () => {
    session.given([started]).when(refresh('nope', 'h2')).thenError('TokenMismatch');
    session
      .given([started, ended('logout')])
      .when(refresh('h1', 'h2'))
      .thenError('SessionEnded');
  });

  it('ends an expired session instead of refreshing it', () => {
    const expired: SessionEvent = {
      ...started,
      data: { ...started.data, expiresAt: '2026-11-01T00:00:00.000Z' },
    };
    session
      .given([expired])
      .when(refresh('h1', 'h2'))
      .then([ended('expired')]);
  });

  it('ends a session when the password is reset, whoever holds it, once', () => {
    session
      .given([started])
      .when({ type: 'Revoke' })
      .then([ended('password-reset')]);
    session
      .given([started, ended('logout')])
      .when({ type: 'Revoke' })
      .then([]);
  });

  it('logs out once', () => {
    const loggedOut = ended('logout');
    session.given([started]).when({ type: 'End', presentedHash: 'h1' }).then([loggedOut]);
    session.given([started, loggedOut]).when({ type: 'End', presentedHash: 'h1' }).then([]);
    session
      .given([started])
      .when({ type: 'End', presentedHash: 'other' })
      .thenError('TokenMismatch');
  });
});

describe('the reservation decider', () => {
  it('gives a key to the first account and keeps it', () => {
    const reserved = {
      type: 'parley.identity.reserved.v1' as const,
      data: { key: 'email:x', accountId: 'a1', reservedAt: at },
    };
    reservation
      .given([])
      .when({ key: 'email:x', accountId: 'a1', now: new Date(at) })
      .then([reserved]);
    reservation
      .given([reserved])
      .when({ key: 'email:x', accountId: 'a1', now: new Date(at) })
      .then([]);
    reservation
      .given([reserved])
      .when({ key: 'email:x', accountId: 'a2', now: new Date(at) })
      .thenError('AlreadyReserved');
  });
});

describe('the login throttle', () => {
  const t0 = Date.parse(at);
  const failedAt = (ms: number): LoginThrottleEvent => ({
    type: 'parley.login.failed.v1',
    data: { key: 'k', failedAt: new Date(t0 + ms).toISOString() },
  });
  const lockedAt = (ms: number, lockouts: number, forMs: number): LoginThrottleEvent => ({
    type: 'parley.login.locked.v1',
    data: {
      key: 'k',
      lockedAt: new Date(t0 + ms).toISOString(),
      until: new Date(t0 + ms + forMs).toISOString(),
      lockouts,
    },
  });
  const at_ = (ms: number) => deciderSpec(loginThrottleDecider, () => new Date(t0 + ms));
  const fourFailures = [failedAt(0), failedAt(1), failedAt(2), failedAt(3)];

  it('locks the address for a minute at the fifth wrong password in the window', () => {
    at_(4)
      .given(fourFailures)
      .when({ type: 'RecordFailure', key: 'k' })
      .then([failedAt(4), lockedAt(4, 1, 60_000)]);
    // Spread out wider than the window, failures do not add up.
    at_(16 * 60_000)
      .given(fourFailures)
      .when({ type: 'RecordFailure', key: 'k' })
      .then([failedAt(16 * 60_000)]);
  });

  it('refuses attempts while locked and tells how long to wait', () => {
    const locked = [...fourFailures, failedAt(4), lockedAt(4, 1, 60_000)];
    at_(10_000)
      .given(locked)
      .when({ type: 'RecordFailure', key: 'k' })
      .thenError('LockedOut', { retryAfterMs: 50_004 });
    const state = locked.reduce(loginThrottleDecider.evolve, loginThrottleDecider.initialState);
    expect(lockedFor(state, new Date(t0 + 60_004))).toBe(0);
  });

  it('locks for twice as long each time in a row, up to a bound', () => {
    const after = (lockouts: number) => [
      lockedAt(0, lockouts, 1000),
      failedAt(2000),
      failedAt(2001),
      failedAt(2002),
      failedAt(2003),
    ];
    at_(2004)
      .given(after(1))
      .when({ type: 'RecordFailure', key: 'k' })
      .then([failedAt(2004), lockedAt(2004, 2, 120_000)]);
    at_(2004)
      .given(after(9))
      .when({ type: 'RecordFailure', key: 'k' })
      .then([failedAt(2004), lockedAt(2004, 10, LONGEST_LOCKOUT_MS)]);
  });

  it('starts over after a right password', () => {
    const succeeded: LoginThrottleEvent = {
      type: 'parley.login.succeeded.v1',
      data: { key: 'k', succeededAt: new Date(t0 + 4).toISOString() },
    };
    at_(4).given(fourFailures).when({ type: 'RecordSuccess', key: 'k' }).then([succeeded]);
    at_(5)
      .given([...fourFailures, succeeded])
      .when({ type: 'RecordFailure', key: 'k' })
      .then([failedAt(5)]);
    at_(5).given([]).when({ type: 'RecordSuccess', key: 'k' }).then([]);
  });
});

describe('the mail quota', () => {
  const t0 = Date.parse(at);
  const sent = (ms: number): MailSent => ({
    type: 'parley.identity.mail-sent.v1',
    data: { key: 'k', kind: 'verification', sentAt: new Date(t0 + ms).toISOString() },
  });
  const at_ = (ms: number) => deciderSpec(mailQuotaDecider, () => new Date(t0 + ms));
  const send = { key: 'k', kind: 'verification' as const };

  it('lets three mails an hour go to a key, and no more', () => {
    at_(2)
      .given([sent(0), sent(1)])
      .when(send)
      .then([sent(2)]);
    at_(3)
      .given([sent(0), sent(1), sent(2)])
      .when(send)
      .thenError('QuotaExhausted');
    at_(3600_000)
      .given([sent(0), sent(1), sent(2)])
      .when(send)
      .then([sent(3600_000)]);
  });

  it('lets six go in a day at most', () => {
    const hour = 3600_000;
    const six = [0, 1, 2, 2 * hour, 2 * hour + 1, 2 * hour + 2].map(sent);
    at_(5 * hour)
      .given(six)
      .when(send)
      .thenError('QuotaExhausted');
    at_(24 * hour)
      .given(six)
      .when(send)
      .then([sent(24 * hour)]);
  });
});
