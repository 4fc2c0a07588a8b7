import { SUBSCRIBER_PERSONAL_FIELDS as F } from '@parley/contracts';
import { type Commit, reviveEnvelope } from '@parley/eventstore';
import { guestPerson, isSealedValue, PersonalDataCipher } from '@parley/privacy';
import { commitsOf, emptyServiceLog, migrateToEmptyLog } from '@parley/testing';
import { guestSubscriberId, subscriberStream } from '../shared/ids';
import { subscriberResealers } from './subscriber-resealers';

const context = { correlationId: 'corr', causationId: null };
const at = '2025-03-01T10:00:00.000Z';
const ann = 'ann.plain@example.com';
const bob = 'bob.gone@example.com';

/** A guest subscribing, as the log held it before addresses were sealed. */
function subscribed(email: string) {
  const subscriberId = guestSubscriberId(email);
  return [
    {
      type: 'parley.subscriber.subscribed.v2' as const,
      data: {
        subscriberId,
        subscriptionId: `sub-${subscriberId}`,
        subscriber: { kind: 'email' as const, email },
        kind: 'replies' as const,
        targetId: null,
        channels: ['email' as const],
        frequency: 'immediate' as const,
        subscribedAt: at,
      },
    },
    {
      type: 'parley.subscriber.confirmation-requested.v2' as const,
      data: { subscriberId, email, requestedAt: at },
    },
  ];
}

/** The addresses in a subscriber's copied events, in order. */
function addressesOf(commits: Commit[], email: string): string[] {
  return commits
    .filter((c) => c.streamId === subscriberStream(guestSubscriberId(email)))
    .flatMap((c) => c.events.map(reviveEnvelope))
    .flatMap((e) =>
      e.type === 'parley.subscriber.subscribed.v2' && e.data.subscriber.kind === 'email'
        ? [e.data.subscriber.email]
        : e.type === 'parley.subscriber.confirmation-requested.v2'
          ? [e.data.email]
          : [],
    );
}

describe('the notifications log migrated to a new store', () => {
  it("seals a guest subscriber's plaintext address under their key, and an erased one's under none", async () => {
    const from = await emptyServiceLog('/parley/notifications');
    await from.log.append(subscriberStream(guestSubscriberId(ann)), 0, subscribed(ann), context);
    const bobs = subscriberStream(guestSubscriberId(bob));
    await from.log.append(bobs, 0, subscribed(bob), context);
    await from.log.append(
      bobs,
      2,
      [
        {
          type: 'parley.subscriber.erased.v1',
          data: { subscriberId: guestSubscriberId(bob), erasedAt: at },
        },
      ],
      context,
    );

    const { to, summary, again } = await migrateToEmptyLog(
      'notifications',
      subscriberResealers,
      from,
    );

    expect(summary).toMatchObject({ streams: 2, commits: 3, events: 5, sealed: 4 });
    const copied = await commitsOf(to.log);
    expect(JSON.stringify(copied)).not.toContain(ann);
    expect(JSON.stringify(copied)).not.toContain(bob);
    const cipher = new PersonalDataCipher(to.keys);
    const annAddresses = addressesOf(copied, ann);
    expect(annAddresses).toHaveLength(2);
    for (const value of annAddresses) {
      expect(isSealedValue(value)).toBe(true);
      expect(await cipher.open(value, F.email)).toEqual({ status: 'plain', value: ann });
    }
    const bobAddresses = addressesOf(copied, bob);
    expect(bobAddresses).toHaveLength(2);
    for (const value of bobAddresses)
      expect((await cipher.open(value, F.email)).status).not.toBe('plain');
    expect((await to.keys.list()).length).toBe(1);
    expect(await to.keys.keyFor(guestPerson(ann))).toBeDefined();

    expect(await again()).toMatchObject({ written: 0 });
  });
});
