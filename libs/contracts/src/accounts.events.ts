import { z } from 'zod';
import {
  displayNameSchema,
  emailSchema,
  idSchema,
  isoTimeSchema,
  personalDataSchema,
  roleSchema,
} from './common.schemas';

/**
 * The sealed fields of account events, by the name each was sealed for: an account's address
 * and display name are sealed with the account's key, which the gateway's identity keeps.
 */
export const ACCOUNT_PERSONAL_FIELDS = {
  email: 'account.email',
  displayName: 'account.display-name',
} as const;
export type AccountPersonalField =
  (typeof ACCOUNT_PERSONAL_FIELDS)[keyof typeof ACCOUNT_PERSONAL_FIELDS];

export const accountEvents = {
  /** v2: the address and the display name are sealed (v1 carried them in plaintext). */
  'parley.account.registered.v2': z.object({
    accountId: idSchema,
    /** Sealed with the account's key (field `account.email`); legacy plaintext in upcast v1 events. */
    email: personalDataSchema(emailSchema),
    /** Sealed with the account's key (field `account.display-name`), like the address. */
    displayName: personalDataSchema(displayNameSchema),
    roles: z.array(roleSchema),
    registeredAt: isoTimeSchema,
  }),
  /** v2: the address is sealed, as in parley.account.registered.v2. */
  'parley.account.email-verified.v2': z.object({
    accountId: idSchema,
    email: personalDataSchema(emailSchema),
    verifiedAt: isoTimeSchema,
  }),
  /** v2: the name is sealed, as in parley.account.registered.v2. */
  'parley.account.display-name-changed.v2': z.object({
    accountId: idSchema,
    displayName: personalDataSchema(displayNameSchema),
    changedAt: isoTimeSchema,
  }),
  'parley.account.roles-changed.v1': z.object({
    accountId: idSchema,
    roles: z.array(roleSchema),
    changedBy: idSchema,
    changedAt: isoTimeSchema,
  }),
  /**
   * The account was erased at its owner's request: every read model drops its address and
   * name (it shows as "Deleted reader"), and it signs in no more.
   */
  'parley.account.erased.v1': z.object({ accountId: idSchema, erasedAt: isoTimeSchema }),
  /** Published so that every gateway refuses the session's access tokens from now on. */
  'parley.session.ended.v1': z.object({
    sessionId: idSchema,
    reason: z.enum(['logout', 'reuse-detected', 'expired', 'password-reset']),
    endedAt: isoTimeSchema,
  }),
};

/** Kept inside the gateway's identity store: never published. */
export const accountPrivateEvents = {
  /** A key that belongs to one account for ever: an email address (hashed), the first-admin seat. */
  'parley.identity.reserved.v1': z.object({
    key: z.string().min(1),
    accountId: idSchema,
    reservedAt: isoTimeSchema,
  }),
  'parley.credentials.password-set.v1': z.object({
    accountId: idSchema,
    passwordHash: z.string().min(1),
    setAt: isoTimeSchema,
    /** Set when the password was chosen through a reset link: that link, used up. */
    resetId: idSchema.optional(),
  }),
  /** A reset link was mailed; it works once, until it expires or another password is set. */
  'parley.credentials.reset-requested.v1': z.object({
    accountId: idSchema,
    resetId: idSchema,
    requestedAt: isoTimeSchema,
    expiresAt: isoTimeSchema,
  }),
  /** A session of an account, listed so that a password reset can end them all. */
  'parley.identity.session-listed.v1': z.object({
    accountId: idSchema,
    sessionId: idSchema,
    listedAt: isoTimeSchema,
  }),
  /** Login attempts per address (hashed), whether or not it has an account: the login throttle. */
  'parley.login.failed.v1': z.object({ key: z.string().min(1), failedAt: isoTimeSchema }),
  'parley.login.locked.v1': z.object({
    key: z.string().min(1),
    lockedAt: isoTimeSchema,
    until: isoTimeSchema,
    /** Lockouts in a row: each lasts twice as long as the one before, up to a bound. */
    lockouts: z.number().int().min(1),
  }),
  'parley.login.succeeded.v1': z.object({ key: z.string().min(1), succeededAt: isoTimeSchema }),
  /** A mail the gateway sent to an address or an account (hashed key): the mail quota. */
  'parley.identity.mail-sent.v1': z.object({
    key: z.string().min(1),
    kind: z.enum([
      'verification',
      'registration-attempt',
      'password-reset',
      'personal-data-export',
      'erasure',
    ]),
    sentAt: isoTimeSchema,
  }),
  'parley.session.started.v1': z.object({
    sessionId: idSchema,
    accountId: idSchema,
    refreshTokenHash: z.string().min(1),
    startedAt: isoTimeSchema,
    expiresAt: isoTimeSchema,
  }),
  'parley.session.refreshed.v1': z.object({
    sessionId: idSchema,
    refreshTokenHash: z.string().min(1),
    refreshedAt: isoTimeSchema,
    expiresAt: isoTimeSchema,
  }),
};

/**
 * v1 account events carried the address and the display name in plaintext: they read as v2
 * with those values as they were, which every reader of a sealed field takes as legacy plaintext.
 */
export const accountUpcasters = [
  'parley.account.registered',
  'parley.account.email-verified',
  'parley.account.display-name-changed',
].map((type) => ({ from: `${type}.v1`, to: `${type}.v2`, upcast: (data: unknown) => data }));
