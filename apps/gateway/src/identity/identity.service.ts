import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type AccountView,
  type ErasureMode,
  type DomainEvent,
  type Role,
  type TokensResponse,
  displayNameKey,
} from '@parley/contracts';
import {
  type AppendContext,
  type Decider,
  type DomainError,
  type EventStore,
  domainError,
  handleCommand,
  loadState,
} from '@parley/eventstore';
import type { Mailer } from '@parley/mail';
import { currentCorrelation } from '@parley/observability';
import {
  APP_LOGGER,
  CLOCK,
  type Clock,
  EVENT_STORE,
  PERSON_KEYS,
  READ_MODELS,
} from '@parley/platform';
import { accountPerson, type PersonKeyStore } from '@parley/privacy';
import type { LiveReadModels } from '@parley/readmodel';
import type { Logger } from 'pino';
import { type Account, type AccountError, accountDecider } from './account.decider';
import { identityStore } from './account-personal-data';
import {
  type AccessClaims,
  TokenSigner,
  hashPassword,
  newRefreshToken,
  normalizeEmail,
  parseRefreshToken,
  sha256,
  verifyPassword,
} from './credentials';
import { accountSessionsDecider } from './account-sessions.decider';
import { reservationDecider } from './reservation.decider';
import { EndedSessions } from './ended-sessions';
import { type MailKind, mailQuotaDecider, quotaLeft } from './mail-quota.decider';
import { lockedFor, loginThrottleDecider } from './login-throttle.decider';
import { sessionDecider } from './session.decider';
import { type NameEntry, STAFF_NAMES } from './staff-names.projection';

export const IDENTITY_OPTIONS = Symbol('IDENTITY_OPTIONS');

export interface IdentityOptions {
  jwtSecret: string;
  accessTtlSeconds: number;
  refreshTtlDays: number;
  publicBaseUrl: string;
  mailer: Mailer;
  mailFrom: string;
}

export type IdentityErrorCode =
  | 'InvalidCredentials'
  | 'InvalidToken'
  | 'AccountNotFound'
  | 'NotAllowed'
  | 'CannotDemoteSelf'
  | 'CannotEraseAdmin'
  | 'EmailMismatch'
  | 'NameReserved'
  | 'TooManyAttempts';

export type IdentityError = DomainError<IdentityErrorCode>;
export type Outcome<T> =
  { ok: true; value: T } | { ok: false; error: IdentityError; retryAfterSeconds?: number };

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const fail = <T>(code: IdentityErrorCode, message: string): Outcome<T> => ({
  ok: false,
  error: domainError(code, message),
});

const nameReserved = <T>(): Outcome<T> =>
  fail('NameReserved', 'This name belongs to someone who writes or moderates this blog');

const tooManyAttempts = <T>(waitMs: number): Outcome<T> => ({
  ok: false,
  error: domainError(
    'TooManyAttempts',
    'Too many wrong passwords for this address: wait a little before trying again',
  ),
  retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
});

/** How long a guest's erasure link works. */
export const GUEST_ERASURE_TTL_MS = 3600_000;

/** How long a password reset link works. */
export const PASSWORD_RESET_TTL_MS = 3600_000;

/** How long the link mailed to a guest for their data works. */
export const PERSONAL_DATA_LINK_TTL_MS = 24 * 3600_000;

const FIRST_ADMIN_STREAM = 'identity-first-admin';
const accountStream = (id: string) => `account-${id}`;
const emailStream = (email: string) => `identity-email-${sha256(email)}`;
const sessionStream = (id: string) => `session-${id}`;
const loginStream = (key: string) => `identity-login-${key}`;
const mailStream = (key: string) => `identity-mail-${key}`;
const accountSessionsStream = (id: string) => `identity-account-sessions-${id}`;

/** The account registered with an address, verified or not; null when none is. */
export async function accountIdByEmail(
  store: EventStore,
  emailInput: string,
): Promise<string | null> {
  return (await loadState(store, reservationDecider, emailStream(normalizeEmail(emailInput))))
    .accountId;
}

/** What erasing an account did: whether it was erased now, and the sessions it ended. */
export interface AccountErasure {
  erased: boolean;
  endedSessions: string[];
  keysDestroyed: number;
}

/**
 * Erases an account from the identity event store: the account records it (once), its sessions
 * end, and its keys are destroyed. A plain function, so that a command can run it without the app.
 */
export async function eraseAccount(
  store: EventStore,
  keys: PersonKeyStore,
  accountId: string,
  options: { now: Clock; context: AppendContext },
): Promise<AccountErasure | AccountError> {
  const outcome = await handleCommand(
    store,
    accountDecider,
    accountStream(accountId),
    { type: 'Erase' },
    options.context,
    { now: options.now },
  );
  if (!outcome.ok) return outcome.error;
  const { sessionIds } = await loadState(
    store,
    accountSessionsDecider,
    accountSessionsStream(accountId),
  );
  const endedSessions: string[] = [];
  for (const sessionId of sessionIds) {
    const revoked = await handleCommand(
      store,
      sessionDecider,
      sessionStream(sessionId),
      { type: 'Revoke' },
      options.context,
      { now: options.now },
    );
    if (revoked.ok && revoked.events.length > 0) endedSessions.push(sessionId);
  }
  const keysDestroyed = await keys.destroy(accountPerson(accountId));
  return { erased: outcome.events.length > 0, endedSessions, keysDestroyed };
}

/** The account that holds an address, verified or not, from the identity event store (opened). */
async function accountHolding(store: EventStore, emailInput: string): Promise<Account | null> {
  const { accountId } = await loadState(
    store,
    reservationDecider,
    emailStream(normalizeEmail(emailInput)),
  );
  if (!accountId) return null;
  const account = await loadState(store, accountDecider, accountStream(accountId));
  return account.exists ? account : null;
}

/**
 * The account that holds an address and has proved it, from the identity event store (opened:
 * see identityStore); null when none does.
 */
export async function verifiedAccountByEmail(
  store: EventStore,
  emailInput: string,
): Promise<AccountView | null> {
  const account = await accountHolding(store, emailInput);
  return account?.emailVerified ? accountView(account) : null;
}

/** The account that holds an address, verified or not, from the identity event store (opened); null when none does. */
export async function accountByEmail(
  store: EventStore,
  emailInput: string,
): Promise<AccountView | null> {
  const account = await accountHolding(store, emailInput);
  return account ? accountView(account) : null;
}

export function accountView(account: Account): AccountView {
  return {
    id: account.accountId,
    email: account.email,
    displayName: account.displayName,
    roles: account.roles,
    emailVerified: account.emailVerified,
    registeredAt: account.registeredAt,
  };
}

/** Accounts, logins and sessions: the gateway's own event-sourced aggregate family. */
@Injectable()
export class IdentityService {
  readonly tokens: TokenSigner;
  private readonly store: EventStore;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(IDENTITY_OPTIONS) private readonly options: IdentityOptions,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(READ_MODELS) private readonly readModels: LiveReadModels,
    private readonly endedSessions: EndedSessions,
    @Inject(PERSON_KEYS) private readonly keys: PersonKeyStore,
  ) {
    this.tokens = new TokenSigner(options.jwtSecret, options.accessTtlSeconds);
    this.store = identityStore(store, keys);
  }

  async register(input: {
    email: string;
    password: string;
    displayName: string;
  }): Promise<Outcome<TokensResponse>> {
    if (await this.nameReserved(input.displayName, null)) return nameReserved();
    const email = normalizeEmail(input.email);
    const reservation = await this.reservation(emailStream(email));
    let accountId: string;
    if (reservation) {
      // An address whose account exists is taken; one left by a crash mid-registration is resumed.
      if ((await this.account(reservation)).exists) return this.registerUnbound(input, email);
      accountId = reservation;
    } else {
      accountId = randomUUID();
      const reserved = await this.reserve(emailStream(email), `email:${sha256(email)}`, accountId);
      if (!reserved) return this.registerUnbound(input, email);
    }
    const firstAdmin = await this.reserve(FIRST_ADMIN_STREAM, 'first-admin', accountId);
    const roles: Role[] = firstAdmin ? ['admin'] : ['reader'];
    const registered = await this.registerAccount(accountId, email, input, roles);
    await this.sendVerification(registered);
    return ok(await this.startSession(registered));
  }

  /**
   * A registration with an address that has an account answers as a new one would, so that it
   * tells nobody whether the address is known: the caller gets an account of its own that the
   * address does not belong to (its owner's login, mail and verification stay theirs; it can never
   * be verified nor reached by logging in with the address), and the owner is told by mail.
   */
  private async registerUnbound(
    input: { password: string; displayName: string },
    email: string,
  ): Promise<Outcome<TokensResponse>> {
    const owner = await this.reservation(emailStream(email));
    const registered = await this.registerAccount(randomUUID(), email, input, ['reader']);
    if (owner) await this.sendRegistrationAttempt(await this.account(owner));
    return ok(await this.startSession(registered));
  }

  private async registerAccount(
    accountId: string,
    email: string,
    input: { password: string; displayName: string },
    roles: Role[],
  ): Promise<Account> {
    const registered = await handleCommand(
      this.store,
      accountDecider,
      accountStream(accountId),
      {
        type: 'Register',
        accountId,
        email,
        displayName: input.displayName,
        passwordHash: await hashPassword(input.password),
        roles,
      },
      this.context(),
      { now: this.clock },
    );
    // Only an account left by a crash mid-registration exists already: it is resumed.
    return registered.ok ? registered.state : this.account(accountId);
  }

  async login(input: { email: string; password: string }): Promise<Outcome<TokensResponse>> {
    const email = normalizeEmail(input.email);
    // Keyed by the address whether or not it has an account, so the throttle tells nothing either.
    const key = sha256(email);
    const wait = lockedFor(await this.load(loginThrottleDecider, loginStream(key)), this.clock());
    if (wait > 0) return tooManyAttempts(wait);
    const accountId = await this.reservation(emailStream(email));
    const account = accountId ? await this.account(accountId) : undefined;
    const valid = await verifyPassword(
      account?.exists ? account.passwordHash : undefined,
      input.password,
    );
    const recorded = await handleCommand(
      this.store,
      loginThrottleDecider,
      loginStream(key),
      { type: valid && account ? 'RecordSuccess' : 'RecordFailure', key },
      this.context(),
      { now: this.clock },
    );
    if (!recorded.ok) return tooManyAttempts(Number(recorded.error.details?.retryAfterMs ?? 1000));
    // The same answer for an unknown address and a wrong password.
    if (!valid || !account)
      return fail('InvalidCredentials', 'The email address or the password is not right');
    return ok(await this.startSession(account));
  }

  async refresh(refreshToken: string): Promise<Outcome<TokensResponse>> {
    const parsed = parseRefreshToken(refreshToken);
    if (!parsed) return fail('InvalidToken', 'This refresh token is not valid');
    const next = this.tokens.successorRefreshToken(parsed.sessionId, parsed.secret);
    const outcome = await handleCommand(
      this.store,
      sessionDecider,
      sessionStream(parsed.sessionId),
      {
        type: 'Refresh',
        presentedHash: parsed.hash,
        nextHash: next.hash,
        expiresAt: this.refreshExpiry(),
      },
      this.context(),
      { now: this.clock },
    );
    if (outcome.ok && outcome.state.ended) this.endedSessions.end(parsed.sessionId, this.clock());
    if (!outcome.ok || outcome.state.ended)
      return fail('InvalidToken', 'This refresh token is not valid; log in again');
    const account = await this.account(outcome.state.accountId);
    if (!account.exists)
      return fail('InvalidToken', 'This refresh token is not valid; log in again');
    if (account.resetAt && outcome.state.startedAt < account.resetAt) {
      // A session too old to be listed when the password was reset ends now.
      await this.revokeSession(parsed.sessionId);
      return fail('InvalidToken', 'The password was changed since this login; log in again');
    }
    return ok(await this.tokensFor(account, next.token, parsed.sessionId));
  }

  async logout(refreshToken: string): Promise<Outcome<null>> {
    const parsed = parseRefreshToken(refreshToken);
    if (!parsed) return fail('InvalidToken', 'This refresh token is not valid');
    const outcome = await handleCommand(
      this.store,
      sessionDecider,
      sessionStream(parsed.sessionId),
      { type: 'End', presentedHash: parsed.hash },
      this.context(),
      { now: this.clock },
    );
    if (!outcome.ok) return fail('InvalidToken', 'This refresh token is not valid');
    // This instance refuses the session's access tokens at once; the others when the event reaches them.
    this.endedSessions.end(parsed.sessionId, this.clock());
    return ok(null);
  }

  /**
   * Mails a link to choose a new password to the account the address belongs to, if any. The
   * caller is answered the same whatever happens, so it runs after the answer.
   */
  async requestPasswordReset(emailInput: string): Promise<void> {
    const email = normalizeEmail(emailInput);
    const accountId = await this.reservation(emailStream(email));
    if (!accountId) return;
    const account = await this.account(accountId);
    if (!account.exists || !(await this.takeMailQuota('password-reset', this.mailKeys(account))))
      return;
    const resetId = randomUUID();
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + PASSWORD_RESET_TTL_MS);
    const requested = await handleCommand(
      this.store,
      accountDecider,
      accountStream(accountId),
      { type: 'RequestPasswordReset', resetId, expiresAt },
      this.context(),
      { now: this.clock },
    );
    if (!requested.ok) return;
    const token = await this.tokens.passwordReset(accountId, resetId, expiresAt, now);
    const link = `${this.options.publicBaseUrl}/reset-password?token=${encodeURIComponent(token)}`;
    try {
      await this.options.mailer.send({
        from: this.options.mailFrom,
        to: account.email,
        subject: 'Choose a new password',
        text: `Hello ${account.displayName},\n\nSomeone (we hope you) asked to choose a new password for your Parley account. This link lets you do it once, within the hour:\n\n${link}\n\nIf it was not you, there is nothing to do: your password is unchanged.\n`,
        html: `<p>Hello ${escapeHtml(account.displayName)},</p><p>Someone (we hope you) asked to choose a new password for your Parley account. This link lets you do it once, within the hour:</p><p><a href="${escapeHtml(link)}">Choose a new password</a></p><p>If it was not you, there is nothing to do: your password is unchanged.</p>`,
      });
    } catch (error) {
      this.logger.warn({ err: error, accountId }, 'password reset mail not sent');
    }
  }

  /**
   * Mails a guest the link to download their data, within the address's mail quota. The caller
   * answers the same whatever happens, so it runs after the answer.
   */
  async mailPersonalDataLink(emailInput: string): Promise<void> {
    const email = normalizeEmail(emailInput);
    if (!(await this.takeMailQuota('personal-data-export', [`address-${sha256(email)}`]))) return;
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + PERSONAL_DATA_LINK_TTL_MS);
    const token = await this.tokens.personalDataExport(email, expiresAt, now);
    const link = `${this.options.publicBaseUrl}/api/v1/personal-data?token=${encodeURIComponent(token)}`;
    try {
      await this.options.mailer.send({
        from: this.options.mailFrom,
        to: email,
        subject: 'Your data on Parley',
        text: `Hello,\n\nSomeone (we hope you) asked for the data Parley holds of this address: your comments, subscriptions and notifications. This link downloads it as JSON for the next 24 hours:\n\n${link}\n\nIf it was not you, there is nothing to do: nobody else gets the link.\n`,
        html: `<p>Hello,</p><p>Someone (we hope you) asked for the data Parley holds of this address: your comments, subscriptions and notifications. This link downloads it as JSON for the next 24 hours:</p><p><a href="${escapeHtml(link)}">Download my data</a></p><p>If it was not you, there is nothing to do: nobody else gets the link.</p>`,
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'personal data link not sent');
    }
  }

  /** The address a personal-data link was mailed to, while the link is valid; null otherwise. */
  personalDataLinkAddress(token: string): Promise<string | null> {
    return this.tokens.verifyPersonalDataExportToken(token, this.clock());
  }

  /** The account that holds an address, verified or not; null when none does. */
  accountByEmail(emailInput: string): Promise<AccountView | null> {
    return accountByEmail(this.store, emailInput);
  }

  /**
   * Mails an address a link that erases its guest's data once followed and confirmed, within
   * the hour. The answer is the same whether anyone wrote with it or a mail went out.
   */
  async requestGuestErasure(emailInput: string, mode: ErasureMode): Promise<void> {
    const email = normalizeEmail(emailInput);
    if (!(await this.takeMailQuota('erasure', [`address-${sha256(email)}`]))) return;
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + GUEST_ERASURE_TTL_MS);
    const token = await this.tokens.guestErasure(email, mode, now, expiresAt);
    // The privacy page's confirmation, which erases only when its button is pressed.
    const link = `${this.options.publicBaseUrl}/privacy/erase?token=${encodeURIComponent(token)}`;
    const what =
      mode === 'remove'
        ? 'the text of your comments will be removed (replies to them stay)'
        : 'your comments will stay, shown as by "Deleted reader"';
    try {
      await this.options.mailer.send({
        from: this.options.mailFrom,
        to: email,
        subject: 'Confirm the erasure of your data',
        text: `Someone (we hope you) asked to erase the data this blog keeps about this address: your name, address and website, and your subscriptions; ${what}. To confirm, open this link within the hour and press the button on the page:\n\n${link}\n\nIf it was not you, there is nothing to do.\n`,
        html: `<p>Someone (we hope you) asked to erase the data this blog keeps about this address: your name, address and website, and your subscriptions; ${escapeHtml(what)}.</p><p><a href="${escapeHtml(link)}">Confirm the erasure</a> (within the hour)</p><p>If it was not you, there is nothing to do.</p>`,
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'erasure confirmation mail not sent');
    }
  }

  /** The address and mode a guest's erasure link confirms, or why it does not. */
  async guestErasureOf(token: string): Promise<Outcome<{ email: string; mode: ErasureMode }>> {
    const claims = await this.tokens.verifyGuestErasureToken(token, this.clock());
    return claims ? ok(claims) : fail('InvalidToken', 'This link is not valid or has expired');
  }

  /** Sets the password chosen through a reset link (once) and ends every session of the account. */
  async confirmPasswordReset(token: string, password: string): Promise<Outcome<null>> {
    const claims = await this.tokens.verifyPasswordResetToken(token, this.clock());
    if (!claims) return fail('InvalidToken', 'This reset link is not valid or has expired');
    const outcome = await handleCommand(
      this.store,
      accountDecider,
      accountStream(claims.accountId),
      {
        type: 'ResetPassword',
        resetId: claims.resetId,
        passwordHash: await hashPassword(password),
      },
      this.context(),
      { now: this.clock },
    );
    if (!outcome.ok) {
      const message =
        outcome.error.code === 'ResetLinkInvalid'
          ? outcome.error.message
          : 'This reset link is not valid or has expired';
      return fail('InvalidToken', message);
    }
    const listed = await this.load(accountSessionsDecider, accountSessionsStream(claims.accountId));
    for (const sessionId of listed.sessionIds) await this.revokeSession(sessionId);
    return ok(null);
  }

  private async revokeSession(sessionId: string): Promise<void> {
    const outcome = await handleCommand(
      this.store,
      sessionDecider,
      sessionStream(sessionId),
      { type: 'Revoke' },
      this.context(),
      { now: this.clock },
    );
    // This instance refuses its access tokens at once; the others when the event reaches them.
    if (outcome.ok) this.endedSessions.end(sessionId, this.clock());
  }

  /** The claims of a valid access token whose session has not ended, or null. */
  async verifyAccess(token: string): Promise<AccessClaims | null> {
    const claims = await this.tokens.verifyAccess(token, this.clock());
    if (!claims) return null;
    return claims.sessionId && this.endedSessions.has(claims.sessionId) ? null : claims;
  }

  async me(accountId: string): Promise<Outcome<AccountView>> {
    const account = await this.account(accountId);
    return account.exists
      ? ok(accountView(account))
      : fail('AccountNotFound', 'There is no such account');
  }

  /**
   * The account that holds an address and has proved it (imported comments are given to it);
   * null when none does.
   */
  verifiedAccountByEmail(emailInput: string): Promise<AccountView | null> {
    return verifiedAccountByEmail(this.store, emailInput);
  }

  /** The account registered with an address, verified or not; null when none is. */
  accountIdByEmail(emailInput: string): Promise<string | null> {
    return accountIdByEmail(this.store, emailInput);
  }

  /** Erases an account at its owner's or an admin's request (see eraseAccount). */
  async erase(accountId: string): Promise<Outcome<AccountErasure>> {
    const erasure = await eraseAccount(this.store, this.keys, accountId, {
      now: this.clock,
      context: this.context(),
    });
    if ('kind' in erasure)
      return erasure.code === 'CannotEraseAdmin'
        ? fail('CannotEraseAdmin', erasure.message)
        : fail('AccountNotFound', 'There is no such account');
    // This instance refuses the account's access tokens at once; the others when the events reach them.
    for (const sessionId of erasure.endedSessions) this.endedSessions.end(sessionId, this.clock());
    this.logger.info({ accountId, erased: erasure.erased }, 'account erased');
    return ok(erasure);
  }

  async changeDisplayName(accountId: string, displayName: string): Promise<Outcome<AccountView>> {
    if (await this.nameReserved(displayName, accountId)) return nameReserved();
    return this.command(accountId, { type: 'ChangeDisplayName', displayName });
  }

  async verifyEmail(token: string): Promise<Outcome<AccountView>> {
    const claims = await this.tokens.verifyEmailToken(token, this.clock());
    if (!claims) return fail('InvalidToken', 'This verification link is not valid or has expired');
    return this.command(claims.accountId, { type: 'VerifyEmail', email: claims.email });
  }

  /** True when the name reads as a staff member's (other than this account's own). */
  async nameReserved(name: string, accountId: string | null): Promise<boolean> {
    const entries = await this.readModels
      .db(STAFF_NAMES.name)
      .collection<NameEntry>('names')
      .find({ nameKey: displayNameKey(name) });
    return entries.some((entry) => entry.staff && entry._id !== accountId);
  }

  async resendVerification(accountId: string): Promise<Outcome<null>> {
    const account = await this.account(accountId);
    if (!account.exists) return fail('AccountNotFound', 'There is no such account');
    // The answer is the same whether a mail went out, the quota is used up or the address is another's.
    if (!account.emailVerified) await this.sendVerification(account);
    return ok(null);
  }

  async setRoles(
    by: { accountId: string; roles: Role[] },
    accountId: string,
    roles: Role[],
  ): Promise<Outcome<AccountView>> {
    return this.command(accountId, { type: 'SetRoles', roles, by });
  }

  private async command(
    accountId: string,
    command: Parameters<typeof accountDecider.decide>[0],
  ): Promise<Outcome<AccountView>> {
    const outcome = await handleCommand(
      this.store,
      accountDecider,
      accountStream(accountId),
      command,
      this.context(),
      { now: this.clock },
    );
    if (!outcome.ok) {
      const code =
        outcome.error.code === 'AccountExists'
          ? 'NotAllowed'
          : outcome.error.code === 'ResetLinkInvalid'
            ? 'InvalidToken'
            : outcome.error.code;
      return fail(code, outcome.error.message);
    }
    return ok(accountView(outcome.state));
  }

  private async startSession(account: Account): Promise<TokensResponse> {
    const sessionId = randomUUID();
    const refresh = newRefreshToken(sessionId);
    await handleCommand(
      this.store,
      sessionDecider,
      sessionStream(sessionId),
      {
        type: 'Start',
        sessionId,
        accountId: account.accountId,
        refreshTokenHash: refresh.hash,
        expiresAt: this.refreshExpiry(),
      },
      this.context(),
      { now: this.clock },
    );
    await handleCommand(
      this.store,
      accountSessionsDecider,
      accountSessionsStream(account.accountId),
      { accountId: account.accountId, sessionId },
      this.context(),
      { now: this.clock },
    );
    return this.tokensFor(account, refresh.token, sessionId);
  }

  private async tokensFor(
    account: Account,
    refreshToken: string,
    sessionId: string,
  ): Promise<TokensResponse> {
    const accessToken = await this.tokens.access(
      {
        accountId: account.accountId,
        displayName: account.displayName,
        roles: account.roles,
        sessionId,
      },
      this.clock(),
    );
    return {
      tokenType: 'Bearer',
      accessToken,
      expiresIn: this.tokens.accessTokenTtl,
      refreshToken,
      account: accountView(account),
    };
  }

  private refreshExpiry(): Date {
    return new Date(this.clock().getTime() + this.options.refreshTtlDays * 24 * 3600 * 1000);
  }

  /** The state of a stream, folded with the decider that writes it. */
  private async load<S, E extends DomainEvent>(
    decider: Decider<S, never, E, DomainError>,
    streamId: string,
  ): Promise<S> {
    return loadState(this.store, decider, streamId);
  }

  private async account(accountId: string): Promise<Account> {
    return this.load(accountDecider, accountStream(accountId));
  }

  private async reservation(streamId: string): Promise<string | null> {
    return (await this.load(reservationDecider, streamId)).accountId;
  }

  /** True when the key is (now) this account's. */
  private async reserve(streamId: string, key: string, accountId: string): Promise<boolean> {
    const outcome = await handleCommand(
      this.store,
      reservationDecider,
      streamId,
      { key, accountId, now: this.clock() },
      this.context(),
      {
        now: this.clock,
      },
    );
    return outcome.ok;
  }

  /**
   * True when a mail of this kind may go out now: within the quota of each key (the address,
   * the account), which it then uses up by one.
   */
  private async takeMailQuota(kind: MailKind, keys: string[]): Promise<boolean> {
    const now = this.clock();
    for (const key of keys) {
      if (!quotaLeft(await this.load(mailQuotaDecider, mailStream(key)), now)) return false;
    }
    for (const key of keys) {
      const taken = await handleCommand(
        this.store,
        mailQuotaDecider,
        mailStream(key),
        { key, kind },
        this.context(),
        { now: this.clock },
      );
      if (!taken.ok) return false;
    }
    return true;
  }

  private mailKeys(account: Account): string[] {
    return [`address-${sha256(account.email)}`, `account-${account.accountId}`];
  }

  private async sendRegistrationAttempt(owner: Account): Promise<void> {
    if (!owner.exists || !(await this.takeMailQuota('registration-attempt', this.mailKeys(owner))))
      return;
    const login = `${this.options.publicBaseUrl}/login`;
    try {
      await this.options.mailer.send({
        from: this.options.mailFrom,
        to: owner.email,
        subject: 'Someone tried to create an account with your address',
        text: `Hello ${owner.displayName},\n\nSomeone just tried to create a Parley account with your email address, which already has one. If it was you, log in instead:\n\n${login}\n\nIf it was not you, there is nothing to do: your account is unchanged and nobody else can log in with your address.\n`,
        html: `<p>Hello ${escapeHtml(owner.displayName)},</p><p>Someone just tried to create a Parley account with your email address, which already has one. If it was you, <a href="${escapeHtml(login)}">log in</a> instead.</p><p>If it was not you, there is nothing to do: your account is unchanged and nobody else can log in with your address.</p>`,
      });
    } catch (error) {
      this.logger.warn(
        { err: error, accountId: owner.accountId },
        'registration-attempt mail not sent',
      );
    }
  }

  private async sendVerification(account: Account): Promise<void> {
    // Only the account the address belongs to is ever sent a link that would verify it.
    if ((await this.reservation(emailStream(account.email))) !== account.accountId) return;
    if (!(await this.takeMailQuota('verification', this.mailKeys(account)))) return;
    const token = await this.tokens.emailVerification(
      account.accountId,
      account.email,
      this.clock(),
    );
    const link = `${this.options.publicBaseUrl}/api/v1/auth/verify-email?token=${encodeURIComponent(token)}`;
    try {
      await this.options.mailer.send({
        from: this.options.mailFrom,
        to: account.email,
        subject: 'Confirm your email address',
        text: `Hello ${account.displayName},\n\nPlease confirm your email address for your Parley account:\n\n${link}\n\nUntil you do, we send you no email (you can comment already). The link is valid for 7 days.\n`,
        html: `<p>Hello ${escapeHtml(account.displayName)},</p><p>Please confirm your email address for your Parley account:</p><p><a href="${escapeHtml(link)}">Confirm my address</a></p><p>Until you do, we send you no email (you can comment already). The link is valid for 7 days.</p>`,
      });
    } catch (error) {
      // The account works without it; the reader can ask for another link.
      this.logger.warn({ err: error, accountId: account.accountId }, 'verification mail not sent');
    }
  }

  private context(): AppendContext {
    return {
      correlationId: currentCorrelation()?.correlationId ?? randomUUID(),
      causationId: null,
    };
  }
}

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
