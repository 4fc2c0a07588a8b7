import { deciderSpec } from '@parley/eventstore';
import { type AccountEvent, accountDecider } from './account.decider';
import { reservationDecider } from './reservation.decider';
import { REFRESH_GRACE_MS, type SessionEvent, sessionDecider } from './session.decider';

const at = '2026-11-24T12:00:00.000Z';
const account = deciderSpec(accountDecider);
const session = deciderSpec(sessionDecider);
const reservation = deciderSpec(reservationDecider);

const registered: AccountEvent = {
  type: 'parley.account.registered.v1',
  data: {
    accountId: 'a1',
    email: 'amy@example.com',
    displayName: 'Amy',
    roles: ['reader'],
    registeredAt: at,
  },
};
const admin = { accountId: 'root', roles: ['admin' as const] };

describe('the account decider', () => {
  it('registers an account with its credentials kept apart', () => {
    account
      .given([])
      .when({
        type: 'Register',
        accountId: 'a1',
        email: 'amy@example.com',
        displayName: 'Amy',
        passwordHash: 'h',
        roles: ['reader'],
      })
      .then([
        registered,
        {
          type: 'parley.credentials.password-set.v1',
          data: { accountId: 'a1', passwordHash: 'h', setAt: at },
        },
      ]);
  });

  it('refuses to register twice', () => {
    account
      .given([registered])
      .when({
        type: 'Register',
        accountId: 'a1',
        email: 'amy@example.com',
        displayName: 'Amy',
        passwordHash: 'h',
        roles: ['reader'],
      })
      .thenError('AccountExists');
  });

  it('verifies the address the link was sent to, once', () => {
    const verified: AccountEvent = {
      type: 'parley.account.email-verified.v1',
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
          type: 'parley.account.display-name-changed.v1',
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

  it('rotates the refresh token', () => {
    session
      .given([started])
      .when({ type: 'Refresh', presentedHash: 'h1', nextHash: 'h2', expiresAt: later })
      .then([refreshed]);
  });

  it('ends the session when a rotated-away token comes back', () => {
    session
      .given([started, refreshed])
      .when({ type: 'Refresh', presentedHash: 'h1', nextHash: 'h3', expiresAt: later })
      .then([
        {
          type: 'parley.session.ended.v1',
          data: { sessionId: 's1', reason: 'reuse-detected', endedAt: at },
        },
      ]);
  });

  it('gives a just-rotated token presented again within the grace window the same successor', () => {
    const soon = new Date(Date.parse(at) + REFRESH_GRACE_MS);
    deciderSpec(sessionDecider, () => soon)
      .given([started, refreshed])
      .when({ type: 'Refresh', presentedHash: 'h1', nextHash: 'h2', expiresAt: later })
      .then([]);
    // Another successor than the current one is no race: the token is being reused.
    deciderSpec(sessionDecider, () => soon)
      .given([started, refreshed])
      .when({ type: 'Refresh', presentedHash: 'h1', nextHash: 'h9', expiresAt: later })
      .then([
        {
          type: 'parley.session.ended.v1',
          data: { sessionId: 's1', reason: 'reuse-detected', endedAt: soon.toISOString() },
        },
      ]);
  });

  it('ends the session when the rotated token comes back after the grace window', () => {
    const late = new Date(Date.parse(at) + REFRESH_GRACE_MS + 1);
    deciderSpec(sessionDecider, () => late)
      .given([started, refreshed])
      .when({ type: 'Refresh', presentedHash: 'h1', nextHash: 'h2', expiresAt: later })
      .then([
        {
          type: 'parley.session.ended.v1',
          data: { sessionId: 's1', reason: 'reuse-detected', endedAt: late.toISOString() },
        },
      ]);
  });

  it('refuses an unknown token and a refresh after the end', () => {
    session
      .given([started])
      .when({ type: 'Refresh', presentedHash: 'nope', nextHash: 'h2', expiresAt: later })
      .thenError('TokenMismatch');
    const ended: SessionEvent = {
      type: 'parley.session.ended.v1',
      data: { sessionId: 's1', reason: 'logout', endedAt: at },
    };
    session
      .given([started, ended])
      .when({ type: 'Refresh', presentedHash: 'h1', nextHash: 'h2', expiresAt: later })
      .thenError('SessionEnded');
  });

  it('ends an expired session instead of refreshing it', () => {
    const expired: SessionEvent = {
      ...started,
      data: { ...started.data, expiresAt: '2026-11-01T00:00:00.000Z' },
    };
    session
      .given([expired])
      .when({ type: 'Refresh', presentedHash: 'h1', nextHash: 'h2', expiresAt: later })
      .then([
        {
          type: 'parley.session.ended.v1',
          data: { sessionId: 's1', reason: 'expired', endedAt: at },
        },
      ]);
  });

  it('logs out once', () => {
    const ended: SessionEvent = {
      type: 'parley.session.ended.v1',
      data: { sessionId: 's1', reason: 'logout', endedAt: at },
    };
    session.given([started]).when({ type: 'End', presentedHash: 'h1' }).then([ended]);
    session.given([started, ended]).when({ type: 'End', presentedHash: 'h1' }).then([]);
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
