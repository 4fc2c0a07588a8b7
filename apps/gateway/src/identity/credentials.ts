import { createHash, createHmac, randomBytes, webcrypto } from 'node:crypto';
import argon2 from 'argon2';
import type { ErasureMode, Role } from '@parley/contracts';
import { type JWTPayload, SignJWT, jwtVerify } from 'jose';

// OWASP's recommended argon2id parameters: 19 MiB, 2 passes, 1 lane.
const ARGON2 = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2);
}

let dummyHash: Promise<string> | undefined;

/** Verifies a password; without a hash it still spends the same time, so timing tells nothing. */
export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  if (!hash) {
    dummyHash ??= hashPassword('parley-no-such-account');
    await argon2.verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return argon2.verify(hash, password).catch(() => false);
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** `<sessionId>.<secret>`: the session names the stream, the secret proves possession. */
export function newRefreshToken(sessionId: string): { token: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${sessionId}.${secret}`, hash: sha256(secret) };
}

export function parseRefreshToken(
  token: string,
): { sessionId: string; secret: string; hash: string } | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot === token.length - 1) return null;
  const secret = token.slice(dot + 1);
  return { sessionId: token.slice(0, dot), secret, hash: sha256(secret) };
}

/** What a token is for: one kind is never accepted where another is asked for. */
type TokenUse = 'access' | 'password-reset' | 'verify-email' | 'personal-data' | 'erase-guest';

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

export interface AccessClaims {
  accountId: string;
  displayName: string;
  roles: Role[];
  /** The login the token belongs to; it stops working when that session ends. */
  sessionId?: string | undefined;
}

/** How many checked access tokens are remembered (the oldest leave first). */
const CHECKED_ACCESS_TOKENS = 10_000;

/** Short-lived access tokens and single-purpose tokens (address verification, password reset), signed HS256. */
export class TokenSigner {
  private readonly key: Uint8Array;
  /** The key as the signing library takes it, made once: not imported again for every token. */
  private readonly hmacKey: Promise<webcrypto.CryptoKey>;
  /**
   * Access tokens whose signature was checked, with their claims and expiry: the same token
   * (every request of a visitor's session) is not checked again until it expires.
   */
  private readonly checkedAccess = new Map<string, { claims: AccessClaims; exp: number }>();

  constructor(
    secret: string,
    private readonly accessTtlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
    this.hmacKey = webcrypto.subtle.importKey(
      'raw',
      this.key,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
  }

  get accessTokenTtl(): number {
    return this.accessTtlSeconds;
  }

  /**
   * The refresh token that follows a presented one: derived from it with the server's key,
   * so a refresh repeated within the grace window gets the same successor again.
   */
  successorRefreshToken(
    sessionId: string,
    presentedSecret: string,
  ): { token: string; hash: string } {
    const secret = createHmac('sha256', this.key)
      .update(`refresh-successor:${sessionId}:${presentedSecret}`)
      .digest('base64url');
    return { token: `${sessionId}.${secret}`, hash: sha256(secret) };
  }

  async access(claims: AccessClaims, now: Date): Promise<string> {
    const claimsOf = {
      name: claims.displayName,
      roles: claims.roles,
      ...(claims.sessionId ? { sid: claims.sessionId } : {}),
    };
    return this.sign(
      'access',
      claims.accountId,
      claimsOf,
      now,
      seconds(now) + this.accessTtlSeconds,
    );
  }

  /** The account of a valid access token, or null. */
  async verifyAccess(token: string, now: Date): Promise<AccessClaims | null> {
    // Once its signature holds, a token stays valid until it expires (no not-before is set).
    const checked = this.checkedAccess.get(token);
    if (checked) return checked.exp > seconds(now) ? checked.claims : null;
    const payload = await this.verify(token, 'access', now);
    if (!payload) return null;
    const claims = {
      accountId: payload.sub,
      displayName: typeof payload.name === 'string' ? payload.name : '',
      roles: Array.isArray(payload.roles) ? (payload.roles as Role[]) : [],
      sessionId: typeof payload.sid === 'string' ? payload.sid : undefined,
    };
    if (typeof payload.exp === 'number' && payload.nbf === undefined) {
      if (this.checkedAccess.size >= CHECKED_ACCESS_TOKENS)
        this.checkedAccess.delete(this.checkedAccess.keys().next().value!);
      this.checkedAccess.set(token, { claims, exp: payload.exp });
    }
    return claims;
  }

  /** A password reset link's token: the account and the reset it was mailed for, until it expires. */
  async passwordReset(
    accountId: string,
    resetId: string,
    expiresAt: Date,
    now: Date,
  ): Promise<string> {
    return this.sign('password-reset', accountId, { rid: resetId }, now, seconds(expiresAt));
  }

  async verifyPasswordResetToken(
    token: string,
    now: Date,
  ): Promise<{ accountId: string; resetId: string } | null> {
    const payload = await this.verify(token, 'password-reset', now);
    if (!payload || typeof payload.rid !== 'string') return null;
    return { accountId: payload.sub, resetId: payload.rid };
  }

  async emailVerification(accountId: string, email: string, now: Date): Promise<string> {
    return this.sign('verify-email', accountId, { email }, now, seconds(now) + 7 * 24 * 3600);
  }

  async verifyEmailToken(
    token: string,
    now: Date,
  ): Promise<{ accountId: string; email: string } | null> {
    const payload = await this.verify(token, 'verify-email', now);
    if (!payload || typeof payload.email !== 'string') return null;
    return { accountId: payload.sub, email: payload.email };
  }

  /** A guest's link to download their data: the address it was mailed to, until it expires. */
  async personalDataExport(email: string, expiresAt: Date, now: Date): Promise<string> {
    return this.sign('personal-data', 'guest', { email }, now, seconds(expiresAt));
  }

  /** The address of a valid personal-data link, or null (forged, altered or expired). */
  async verifyPersonalDataExportToken(token: string, now: Date): Promise<string | null> {
    const payload = await this.verify(token, 'personal-data', now);
    return payload && typeof payload.email === 'string' ? payload.email : null;
  }

  /** A guest's confirmation that the data of their address be erased, in a mode. */
  async guestErasure(
    email: string,
    mode: ErasureMode,
    now: Date,
    expiresAt: Date,
  ): Promise<string> {
    return this.sign('erase-guest', email, { mode }, now, seconds(expiresAt));
  }

  async verifyGuestErasureToken(
    token: string,
    now: Date,
  ): Promise<{ email: string; mode: ErasureMode } | null> {
    const payload = await this.verify(token, 'erase-guest', now);
    if (!payload || (payload.mode !== 'anonymize' && payload.mode !== 'remove')) return null;
    return { email: payload.sub, mode: payload.mode };
  }

  private async sign(
    use: TokenUse,
    subject: string,
    claims: JWTPayload,
    now: Date,
    expiresAtSeconds: number,
  ): Promise<string> {
    return new SignJWT({ ...claims, use })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(subject)
      .setIssuer('parley')
      .setIssuedAt(seconds(now))
      .setExpirationTime(expiresAtSeconds)
      .sign(await this.hmacKey);
  }

  /** The claims of a token signed here for `use` and still valid at `now`, or null. */
  private async verify(
    token: string,
    use: TokenUse,
    now: Date,
  ): Promise<(JWTPayload & { sub: string }) | null> {
    try {
      const { payload } = await jwtVerify(token, await this.hmacKey, {
        issuer: 'parley',
        currentDate: now,
        algorithms: ['HS256'],
      });
      return payload.use === use && typeof payload.sub === 'string'
        ? { ...payload, sub: payload.sub }
        : null;
    } catch {
      return null;
    }
  }
}
