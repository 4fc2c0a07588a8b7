import { can } from '@parley/contracts';
import type { DomainEvent, Role } from '@parley/contracts';
import { profileAfter } from '@parley/domain';
import { type Decider, type DomainError, assertNever, domainError } from '@parley/eventstore';

export type AccountEvent = DomainEvent<
  | 'parley.account.registered.v2'
  | 'parley.credentials.password-set.v1'
  | 'parley.account.email-verified.v2'
  | 'parley.account.display-name-changed.v2'
  | 'parley.account.roles-changed.v1'
  | 'parley.credentials.reset-requested.v1'
  | 'parley.account.erased.v1'
>;

export interface Account {
  exists: boolean;
  accountId: string;
  email: string;
  displayName: string;
  roles: Role[];
  emailVerified: boolean;
  passwordHash: string;
  registeredAt: string;
  /** Reset links mailed and not used yet, by id: when each expires. */
  resets: Record<string, string>;
  /** When a reset link last set the password: sessions older than that are over. */
  resetAt: string;
  /** Erased at its owner's request: nothing of the person is kept, and it exists no more. */
  erased: boolean;
}

export type AccountCommand =
  | {
      type: 'Register';
      accountId: string;
      email: string;
      displayName: string;
      passwordHash: string;
      roles: Role[];
    }
  | { type: 'VerifyEmail'; email: string }
  | { type: 'ChangeDisplayName'; displayName: string }
  | { type: 'SetRoles'; roles: Role[]; by: { accountId: string; roles: Role[] } }
  | { type: 'SetPassword'; passwordHash: string }
  | { type: 'RequestPasswordReset'; resetId: string; expiresAt: Date }
  | { type: 'ResetPassword'; resetId: string; passwordHash: string }
  | { type: 'Erase' };

export type AccountError = DomainError<
  | 'AccountExists'
  | 'AccountNotFound'
  | 'EmailMismatch'
  | 'NotAllowed'
  | 'CannotDemoteSelf'
  | 'CannotEraseAdmin'
  | 'ResetLinkInvalid'
>;

const initial: Account = {
  exists: false,
  accountId: '',
  email: '',
  displayName: '',
  roles: [],
  emailVerified: false,
  passwordHash: '',
  registeredAt: '',
  resets: {},
  resetAt: '',
  erased: false,
};

function sameRoles(a: readonly Role[], b: readonly Role[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

/** An account of the blog: identity, credentials, verified address, display name and roles. */
export const accountDecider: Decider<Account, AccountCommand, AccountEvent, AccountError> = {
  initialState: initial,
  evolve(state, event) {
    switch (event.type) {
      case 'parley.account.registered.v2':
        return {
          ...state,
          exists: true,
          accountId: event.data.accountId,
          email: event.data.email,
          displayName: event.data.displayName,
          roles: event.data.roles,
          registeredAt: event.data.registeredAt,
        };
      case 'parley.credentials.password-set.v1':
        // A new password, however set, makes every reset link mailed before it useless.
        return {
          ...state,
          passwordHash: event.data.passwordHash,
          resets: {},
          resetAt: event.data.resetId ? event.data.setAt : state.resetAt,
        };
      case 'parley.credentials.reset-requested.v1':
        return {
          ...state,
          resets: { ...state.resets, [event.data.resetId]: event.data.expiresAt },
        };
      case 'parley.account.email-verified.v2':
      case 'parley.account.display-name-changed.v2':
      case 'parley.account.roles-changed.v1':
        return profileAfter(state, event);
      case 'parley.account.erased.v1':
        return { ...initial, accountId: state.accountId, erased: true };
      default:
        return assertNever(event, 'account event');
    }
  },
  decide(command, state, now) {
    const at = now.toISOString();
    if (command.type === 'Register') {
      if (state.exists || state.erased)
        return domainError('AccountExists', 'This account exists already');
      return [
        {
          type: 'parley.account.registered.v2',
          data: {
            accountId: command.accountId,
            email: command.email,
            displayName: command.displayName,
            roles: command.roles,
            registeredAt: at,
          },
        },
        {
          type: 'parley.credentials.password-set.v1',
          data: { accountId: command.accountId, passwordHash: command.passwordHash, setAt: at },
        },
      ];
    }
    // Erasing is idempotent: an account erased already has nothing left to erase.
    if (command.type === 'Erase' && state.erased) return [];
    if (!state.exists) return domainError('AccountNotFound', 'There is no such account');
    switch (command.type) {
      case 'Erase':
        // As an admin cannot demote themselves: the blog is never left without one by accident.
        if (state.roles.includes('admin'))
          return domainError(
            'CannotEraseAdmin',
            'An admin account is erased once another admin has taken its admin role away',
          );
        return [
          { type: 'parley.account.erased.v1', data: { accountId: state.accountId, erasedAt: at } },
        ];
      case 'VerifyEmail':
        if (command.email !== state.email) {
          return domainError(
            'EmailMismatch',
            'This link was sent to an address the account no longer has',
          );
        }
        if (state.emailVerified) return [];
        return [
          {
            type: 'parley.account.email-verified.v2',
            data: { accountId: state.accountId, email: state.email, verifiedAt: at },
          },
        ];
      case 'ChangeDisplayName':
        if (command.displayName === state.displayName) return [];
        return [
          {
            type: 'parley.account.display-name-changed.v2',
            data: { accountId: state.accountId, displayName: command.displayName, changedAt: at },
          },
        ];
      case 'SetRoles':
        if (!can(command.by, 'administer'))
          return domainError('NotAllowed', 'Only an admin grants roles');
        if (command.by.accountId === state.accountId && !command.roles.includes('admin')) {
          return domainError('CannotDemoteSelf', 'An admin cannot take their own admin role away');
        }
        if (sameRoles(command.roles, state.roles)) return [];
        return [
          {
            type: 'parley.account.roles-changed.v1',
            data: {
              accountId: state.accountId,
              roles: command.roles,
              changedBy: command.by.accountId,
              changedAt: at,
            },
          },
        ];
      case 'SetPassword':
        return [
          {
            type: 'parley.credentials.password-set.v1',
            data: { accountId: state.accountId, passwordHash: command.passwordHash, setAt: at },
          },
        ];
      case 'RequestPasswordReset':
        return [
          {
            type: 'parley.credentials.reset-requested.v1',
            data: {
              accountId: state.accountId,
              resetId: command.resetId,
              requestedAt: at,
              expiresAt: command.expiresAt.toISOString(),
            },
          },
        ];
      case 'ResetPassword': {
        const expiresAt = state.resets[command.resetId];
        if (expiresAt === undefined)
          return domainError('ResetLinkInvalid', 'This reset link has been used or replaced');
        if (Date.parse(expiresAt) <= now.getTime())
          return domainError('ResetLinkInvalid', 'This reset link has expired');
        return [
          {
            type: 'parley.credentials.password-set.v1',
            data: {
              accountId: state.accountId,
              passwordHash: command.passwordHash,
              setAt: at,
              resetId: command.resetId,
            },
          },
        ];
      }
      default:
        return assertNever(command, 'account command');
    }
  },
};
