import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Frequency, SubscriptionKind } from '@parley/contracts';

/** What a signed link lets its holder do, without logging in. */
export type LinkGrant =
  | { purpose: 'confirm'; subscriberId: string; email: string; expiresAt: number }
  | {
      purpose: 'unsubscribe';
      subscriberId: string;
      subscriptionId: string;
      kind: SubscriptionKind;
      targetId: string | null;
    }
  | { purpose: 'unsubscribe-digest'; subscriberId: string; frequency: Frequency }
  | { purpose: 'manage'; subscriberId: string; expiresAt: number };

export type LinkCheck =
  { ok: true; grant: LinkGrant } | { ok: false; reason: 'invalid' | 'expired' | 'wrong-purpose' };

export const CONFIRMATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const MANAGE_TTL_MS = 90 * 24 * 60 * 60 * 1000;

type Compact =
  | { p: 'c'; s: string; e: string; x: number }
  | { p: 'u'; s: string; i: string; k: SubscriptionKind; t: string | null }
  | { p: 'd'; s: string; f: Frequency }
  | { p: 'm'; s: string; x: number };

function compact(grant: LinkGrant): Compact {
  switch (grant.purpose) {
    case 'confirm':
      return { p: 'c', s: grant.subscriberId, e: grant.email, x: grant.expiresAt };
    case 'unsubscribe':
      return {
        p: 'u',
        s: grant.subscriberId,
        i: grant.subscriptionId,
        k: grant.kind,
        t: grant.targetId,
      };
    case 'unsubscribe-digest':
      return { p: 'd', s: grant.subscriberId, f: grant.frequency };
    case 'manage':
      return { p: 'm', s: grant.subscriberId, x: grant.expiresAt };
  }
}

function expand(c: Compact): LinkGrant {
  switch (c.p) {
    case 'c':
      return { purpose: 'confirm', subscriberId: c.s, email: c.e, expiresAt: c.x };
    case 'u':
      return {
        purpose: 'unsubscribe',
        subscriberId: c.s,
        subscriptionId: c.i,
        kind: c.k,
        targetId: c.t,
      };
    case 'd':
      return { purpose: 'unsubscribe-digest', subscriberId: c.s, frequency: c.f };
    case 'm':
      return { purpose: 'manage', subscriberId: c.s, expiresAt: c.x };
  }
}

function isCompact(value: unknown): value is Compact {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.s !== 'string') return false;
  switch (v.p) {
    case 'c':
      return typeof v.e === 'string' && typeof v.x === 'number';
    case 'u':
      return typeof v.i === 'string' && typeof v.k === 'string';
    case 'd':
      return v.f === 'immediate' || v.f === 'hourly' || v.f === 'daily';
    case 'm':
      return typeof v.x === 'number';
    default:
      return false;
  }
}

/**
 * Signed links: `<payload>.<HMAC-SHA256>` in base64url. The payload names the one
 * subscriber (and subscription) it is for, so a token cannot be forged, guessed from
 * another, or used for anything else.
 */
export class LinkTokens {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error('The token secret must be at least 16 characters');
  }

  sign(grant: LinkGrant): string {
    const payload = Buffer.from(JSON.stringify(compact(grant))).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  verify(token: string, now: Date, purposes: readonly LinkGrant['purpose'][]): LinkCheck {
    const dot = token.indexOf('.');
    if (dot <= 0) return { ok: false, reason: 'invalid' };
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'invalid' };
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (!isCompact(decoded)) return { ok: false, reason: 'invalid' };
    const grant = expand(decoded);
    if (!purposes.includes(grant.purpose)) return { ok: false, reason: 'wrong-purpose' };
    if ('expiresAt' in grant && grant.expiresAt < now.getTime())
      return { ok: false, reason: 'expired' };
    return { ok: true, grant };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(`parley-link.${payload}`).digest('base64url');
  }
}
