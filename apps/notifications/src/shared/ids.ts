import { createHash } from 'node:crypto';
import type { SubscriptionKind } from '@parley/contracts';

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The subscriber of an account. */
export function accountSubscriberId(accountId: string): string {
  return `subscriber-${accountId}`;
}

/** The subscriber of a guest: one per address, whatever its capitals. */
export function guestSubscriberId(email: string): string {
  return `subscriber-guest-${digest(normalizeEmail(email))}`;
}

/** The stream of a subscriber is named after it. */
export function subscriberStream(subscriberId: string): string {
  return subscriberId;
}

/**
 * One subscription per subscriber, kind and target: subscribing twice is the same
 * subscription, and the implicit ones (an account's replies) have an id before they exist.
 */
export function subscriptionIdOf(
  subscriberId: string,
  kind: SubscriptionKind,
  targetId: string | null,
): string {
  return `sub-${digest(subscriberId, kind, targetId ?? '').slice(0, 32)}`;
}

/**
 * A notification per cause and recipient: a redelivered or replayed cause gives the same
 * id, so it finds its notification already there instead of creating a second one.
 */
export function notificationIdOf(causeKey: string, subscriberId: string): string {
  return `ntf-${digest(causeKey, subscriberId).slice(0, 32)}`;
}

export function notificationStream(notificationId: string): string {
  return `notification-${notificationId}`;
}
