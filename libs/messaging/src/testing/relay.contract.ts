import type { DomainEvent } from '@parley/contracts';
import type { EventStore, LeaseStore } from '@parley/eventstore';
import type { MessagePublisher, OutgoingMessage, TopicBatch } from '../message';
import { Relay } from '../relay';

export interface RelayHarness {
  store: EventStore;
  leases: LeaseStore;
  close(): Promise<void>;
}

type Liked = DomainEvent<'parley.post.liked.v2'>;

let counter = 0;
const uniqueStream = (label: string) =>
  `post-${label}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
const context = { correlationId: 'corr-contract', causationId: null };

function liked(postId: string, accountId: string): Liked {
  return {
    type: 'parley.post.liked.v2',
    data: {
      postId,
      accountId,
      likedAt: '2026-11-24T12:00:00.000Z',
    },
  };
}

class CapturingPublisher implements MessagePublisher {
  readonly messages: (OutgoingMessage & { topic: string })[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly delayMs = 2) {}

  async publish(batches: TopicBatch[]): Promise<void> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    for (const b of batches)
      for (const m of b.messages) this.messages.push({ ...m, topic: b.topic });
    this.inFlight -= 1;
  }

  /** The versions published of one stream, in the order they went out. */
  versionsOf(stream: string): (string | undefined)[] {
    return this.messages.filter((m) => m.key === stream).map((m) => m.headers.ce_streamversion);
  }
}

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The relay over each EventStore adapter: every commit published once, in order, by one relay. */
export function relayContract(adapter: string, open: () => Promise<RelayHarness>): void {
  describe(`Relay contract: ${adapter}`, () => {
    let harness: RelayHarness;
    let store: EventStore;

    beforeEach(async () => {
      harness = await open();
      store = harness.store;
    });

    afterEach(async () => {
      await harness.close();
    });

    it('publishes each commit once and in stream order with two relays on one store', async () => {
      const publisher = new CapturingPublisher();
      const prefix = uniqueStream('relay');
      const relayOptions = {
        name: `relay-${prefix}`,
        topicFor: () => 'parley.posts',
        pollMs: 20,
        // Long enough that the leader keeps it on a loaded machine: a lease lost mid-batch
        // lets the other relay publish the same commits again (at least once, not this test).
        leaseTtlMs: 10_000,
      };
      const relays = [
        new Relay(store, publisher, harness.leases, relayOptions),
        new Relay(store, publisher, harness.leases, relayOptions),
      ];
      relays.forEach((r) => r.start());
      const streams = Array.from({ length: 5 }, (_, i) => `${prefix}-s${i}`);
      await Promise.all(
        streams.map(async (stream) => {
          for (let v = 0; v < 10; v++)
            await store.append(stream, v, [liked(stream, `a${v}`)], context);
        }),
      );
      const mine = () => publisher.messages.filter((m) => m.key.startsWith(prefix));
      await waitUntil(() => mine().length >= 50);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await Promise.all(relays.map((r) => r.stop()));

      const messages = mine();
      expect(messages).toHaveLength(50);
      expect(new Set(messages.map((m) => m.headers.ce_id)).size).toBe(50);
      for (const stream of streams) {
        const versions = messages
          .filter((m) => m.key === stream)
          .map((m) => Number(m.headers.ce_streamversion));
        expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      }
      expect(publisher.maxInFlight).toBe(1);
      expect(relays.filter((r) => r.stats().commitsPublished > 0)).toHaveLength(1);
    });

    it('publishes commits left from before it started ahead of new ones of the same stream', async () => {
      const publisher = new CapturingPublisher();
      const stream = uniqueStream('backlog');
      await store.append(stream, 0, [liked('p', 'a')], context);
      await store.append(stream, 1, [liked('p', 'b')], context);
      const relay = new Relay(store, publisher, harness.leases, {
        name: `relay-${stream}`,
        topicFor: () => 'parley.posts',
        pollMs: 10_000,
      });
      relay.start();
      await store.append(stream, 2, [liked('p', 'c')], context);
      await waitUntil(() => publisher.versionsOf(stream).length === 3);
      await relay.stop();
      expect(publisher.versionsOf(stream)).toEqual(['1', '2', '3']);
      expect((await store.readUnpublished(1000)).filter((c) => c.streamId === stream)).toEqual([]);
    });

    it('publishes on stopping what this process appended, without scanning the store', async () => {
      // Slow enough that the second append arrives while the first is being published.
      const publisher = new CapturingPublisher(200);
      const stream = uniqueStream('drain');
      let scans = 0;
      const counting: EventStore = new Proxy(store, {
        get(target, property, receiver) {
          if (property === 'readUnpublished')
            return (limit: number) => {
              scans += 1;
              return target.readUnpublished(limit);
            };
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? (value.bind(target) as unknown) : value;
        },
      });
      const relay = new Relay(counting, publisher, harness.leases, {
        name: `relay-${stream}`,
        topicFor: () => 'parley.posts',
        pollMs: 60_000,
      });
      relay.start();
      await waitUntil(() => relay.stats().leader);
      await store.append(stream, 0, [liked('p', 'a')], context);
      // The second append comes while the first is being published; stop() follows at once.
      await store.append(stream, 1, [liked('p', 'b')], context);
      const scansBefore = scans;
      await relay.stop();
      expect(scans).toBe(scansBefore);
      expect(publisher.versionsOf(stream)).toEqual(['1', '2']);
      expect((await store.readUnpublished(1000)).filter((c) => c.streamId === stream)).toEqual([]);
    });

    it('hands publishing over when the leading relay stops', async () => {
      const publisher = new CapturingPublisher();
      const stream = uniqueStream('failover');
      const relayOptions = {
        name: `relay-${stream}`,
        topicFor: () => 'parley.posts',
        pollMs: 20,
        leaseTtlMs: 300,
      };
      const first = new Relay(store, publisher, harness.leases, relayOptions);
      first.start();
      await store.append(stream, 0, [liked('p', 'a')], context);
      await waitUntil(() => publisher.messages.some((m) => m.key === stream));
      await first.stop();

      const second = new Relay(store, publisher, harness.leases, relayOptions);
      second.start();
      await store.append(stream, 1, [liked('p', 'b')], context);
      await waitUntil(() => publisher.versionsOf(stream).length === 2);
      await second.stop();
      expect(publisher.versionsOf(stream)).toEqual(['1', '2']);
    });
  });
}
