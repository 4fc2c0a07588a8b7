import { SUBSCRIBER_PERSONAL_FIELDS as F } from '@parley/contracts';
import type { ResealContext, Resealers } from '@parley/platform';
import { accountPerson, guestPerson, isLegacyPlaintext } from '@parley/privacy';

/** Whose key the shredder seals with does not matter: its keys are kept nowhere. */
const NOBODY = accountPerson('erased');

/**
 * A guest subscriber's address as the subscriptions use case seals it now (the subscriber's
 * key, kept by this service), or under a key kept nowhere when the subscriber was erased while
 * their address was still in plaintext: it must read as erased in the new log.
 */
async function sealAddress(email: string, context: ResealContext): Promise<string> {
  const erased = context.stream.some((e) => e.type === 'parley.subscriber.erased.v1');
  return erased
    ? context.shredder.seal(NOBODY, F.email, email)
    : context.cipher.seal(guestPerson(email), F.email, email);
}

/**
 * The notifications service's events with an address written in plaintext before it was
 * sealed (the author names notifications copied: notificationResealers).
 */
export const subscriberResealers: Resealers = {
  'parley.subscriber.subscribed.v2': async (event, context) => {
    const { subscriber } = event.data;
    if (subscriber.kind !== 'email' || !isLegacyPlaintext(subscriber.email))
      return { data: event.data, sealed: 0 };
    const email = await sealAddress(subscriber.email, context);
    return { data: { ...event.data, subscriber: { kind: 'email', email } }, sealed: 1 };
  },
  'parley.subscriber.confirmation-requested.v2': async (event, context) => {
    if (!isLegacyPlaintext(event.data.email)) return { data: event.data, sealed: 0 };
    return {
      data: { ...event.data, email: await sealAddress(event.data.email, context) },
      sealed: 1,
    };
  },
};
