import { SUBSCRIBER_PERSONAL_FIELDS, type TopicEvent } from '@parley/contracts';
import { toEnvelopes } from '@parley/eventstore';
import { EmbeddedPersonKeyStore, guestPerson, PersonalDataCipher } from '@parley/privacy';
import { GenerationDb, MemoryDocumentStore } from '@parley/readmodel';
import {
  type SubscriberEntry,
  type SubscriptionEntry,
  subscriptionsProjection,
} from './subscriptions.projection';

const at = '2026-11-24T12:10:00.000Z';
const gus = 'gus@example.com';

async function guestSubscribed(cipher: PersonalDataCipher) {
  const email = await cipher.seal(guestPerson(gus), SUBSCRIBER_PERSONAL_FIELDS.email, gus);
  return toEnvelopes(
    '/parley/notifications',
    'subscriber-guest-gus',
    1,
    [
      {
        type: 'parley.subscriber.subscribed.v2',
        data: {
          subscriberId: 'subscriber-guest-gus',
          subscriptionId: 'sub-1',
          subscriber: { kind: 'email', email },
          kind: 'post',
          targetId: 'p1',
          channels: ['email'],
          frequency: 'immediate',
          subscribedAt: at,
        },
      },
      {
        type: 'parley.subscriber.confirmation-requested.v2',
        data: { subscriberId: 'subscriber-guest-gus', email, requestedAt: at },
      },
    ],
    { correlationId: 'spec', causationId: null },
    new Date(at),
  ) as TopicEvent<'notifications'>[];
}

async function project(events: TopicEvent<'notifications'>[], keys: EmbeddedPersonKeyStore) {
  const db = new GenerationDb(new MemoryDocumentStore(), subscriptionsProjection, 1);
  for (const event of events) await subscriptionsProjection.apply(event, db, { personKeys: keys });
  return {
    subscriber: await db
      .collection<SubscriberEntry>('subscribers')
      .findOne({ _id: 'subscriber-guest-gus' }),
    subscription: await db.collection<SubscriptionEntry>('subscriptions').findOne({ _id: 'sub-1' }),
  };
}

describe('the subscriptions projection', () => {
  it("opens a guest's sealed address with the service's keys for the read model", async () => {
    const keys = await EmbeddedPersonKeyStore.open();
    const events = await guestSubscribed(new PersonalDataCipher(keys));
    expect(JSON.stringify(events)).not.toContain(gus);
    const { subscriber, subscription } = await project(events, keys);
    expect(subscriber).toMatchObject({ email: gus, confirmationDue: at });
    expect(subscription?.email).toBe(gus);
  });

  it('rebuilds no address, and owes no confirmation mail, once the subscriber’s key is destroyed', async () => {
    const keys = await EmbeddedPersonKeyStore.open();
    const events = await guestSubscribed(new PersonalDataCipher(keys));
    await keys.destroy(guestPerson(gus));
    const { subscriber, subscription } = await project(events, keys);
    expect(subscriber).toMatchObject({ email: null, confirmationDue: null });
    expect(subscription?.email).toBeNull();
  });
});
