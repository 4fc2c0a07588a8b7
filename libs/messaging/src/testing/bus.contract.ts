import { dlqOf } from '@parley/contracts';
import { PermanentError } from '../errors';
import type { IncomingMessage, MessageBus, MessageConsumer, OutgoingMessage } from '../message';
import { reliable } from '../reliable-handler';
import { DLQ_HEADERS } from '../reliable-handler';

export interface BusHarness {
  bus: MessageBus;
  /** Creates a fresh topic (and its dead-letter topic) and returns its name. */
  topic(label: string, partitions: number): Promise<string>;
  group(label: string): string;
  close(): Promise<void>;
}

async function waitUntil(
  condition: () => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function message(
  key: string,
  value: string,
  headers: Record<string, string> = {},
): OutgoingMessage {
  return { key, value, headers: { 'x-id': `${key}:${value}`, ...headers } };
}

/** The behaviour every MessageBus adapter must have, run against each of them. */
export function messageBusContract(adapter: string, open: () => Promise<BusHarness>): void {
  describe(`MessageBus contract: ${adapter}`, () => {
    let h: BusHarness;
    const consumers: MessageConsumer[] = [];

    beforeEach(async () => {
      h = await open();
    });

    afterEach(async () => {
      await Promise.all(consumers.splice(0).map((c) => c.stop().catch(() => undefined)));
      await h.close();
    });

    function consume(
      groupId: string,
      topics: string[],
      handler: (m: IncomingMessage) => Promise<void>,
    ): MessageConsumer {
      const consumer = h.bus.consumer({ groupId, topics, fromBeginning: true, handler });
      consumers.push(consumer);
      return consumer;
    }

    it('delivers every message to a group once, in order per key', async () => {
      const topic = await h.topic('order', 3);
      const seen: IncomingMessage[] = [];
      await consume(h.group('order'), [topic], async (m) => {
        seen.push(m);
      }).start();
      const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
      const publisher = h.bus.publisher();
      for (let round = 0; round < 10; round++) {
        await publisher.publish([{ topic, messages: keys.map((k) => message(k, String(round))) }]);
      }
      await waitUntil(() => seen.length >= 60, '60 messages');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen).toHaveLength(60);
      for (const key of keys) {
        const ofKey = seen.filter((m) => m.key === key);
        expect(ofKey.map((m) => Number(m.value))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
      }
      expect(seen[0]?.headers['x-id']).toBeDefined();
    });

    it('resumes a restarted group at its committed offset', async () => {
      const topic = await h.topic('resume', 2);
      const group = h.group('resume');
      const publisher = h.bus.publisher();
      await publisher.publish([
        {
          topic,
          messages: Array.from({ length: 10 }, (_, i) => message(`k${i % 3}`, `first-${i}`)),
        },
      ]);
      const firstRun: string[] = [];
      const first = consume(group, [topic], async (m) => {
        firstRun.push(m.value);
      });
      await first.start();
      await waitUntil(() => firstRun.length === 10, 'first ten');
      await first.stop();

      await publisher.publish([
        {
          topic,
          messages: Array.from({ length: 5 }, (_, i) => message(`k${i % 3}`, `second-${i}`)),
        },
      ]);
      const secondRun: string[] = [];
      await consume(group, [topic], async (m) => {
        secondRun.push(m.value);
      }).start();
      await waitUntil(() => secondRun.length >= 5, 'five new');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(secondRun.sort()).toEqual([
        'second-0',
        'second-1',
        'second-2',
        'second-3',
        'second-4',
      ]);
      const committed = await h.bus.groupOffsets(group, topic);
      const ends = await h.bus.topicOffsets(topic);
      const lag = ends.map(
        (e, i) => Number(e.high) - Math.max(0, Number(committed[i]?.high ?? -1)),
      );
      expect(lag).toEqual(ends.map(() => 0));
    });

    it('starts a new group from a time at the first messages written since, and a group that committed from its offsets', async () => {
      const topic = await h.topic('from-time', 3);
      const publisher = h.bus.publisher();
      const batch = (label: string) =>
        publisher.publish([
          {
            topic,
            messages: Array.from({ length: 6 }, (_, i) => message(`k${i}`, `${label}-${i}`)),
          },
        ]);
      await batch('before');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const since = new Date();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await batch('after');
      const read = (group: string, into: string[]) => {
        const consumer = h.bus.consumer({
          groupId: group,
          topics: [topic],
          fromBeginning: true,
          fromTime: since,
          handler: async (m) => {
            into.push(m.value);
          },
        });
        consumers.push(consumer);
        return consumer;
      };
      const group = h.group('from-time');
      const first: string[] = [];
      const consumer = read(group, first);
      await consumer.start();
      await waitUntil(() => first.length >= 6, 'six written since');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(first.sort()).toEqual(Array.from({ length: 6 }, (_, i) => `after-${i}`));
      await consumer.stop();

      // Started again from the same time, the group goes on from what it committed.
      await batch('later');
      const again: string[] = [];
      await read(group, again).start();
      await waitUntil(() => again.length >= 6, 'six later');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(again.sort()).toEqual(Array.from({ length: 6 }, (_, i) => `later-${i}`));
    });

    it('redelivers after a crash between effect and commit; an idempotent effect is not doubled', async () => {
      const topic = await h.topic('crash', 1);
      const group = h.group('crash');
      await h.bus
        .publisher()
        .publish([
          { topic, messages: Array.from({ length: 10 }, (_, i) => message('k', String(i))) },
        ]);
      const applied = new Set<string>();
      const effects: string[] = [];
      const deliveries = new Map<string, number>();
      const effect = (m: IncomingMessage) => {
        deliveries.set(m.value, (deliveries.get(m.value) ?? 0) + 1);
        const id = m.headers['x-id'] ?? '';
        if (applied.has(id)) return;
        applied.add(id);
        effects.push(m.value);
      };
      let crashed = false;
      const first = consume(group, [topic], async (m) => {
        effect(m);
        if (m.value === '4' && !crashed) {
          crashed = true;
          // The process dies right after the effect, before the offset is committed.
          void first.abort();
        }
      });
      await first.start();
      await waitUntil(() => crashed, 'the crash');
      await first.abort();

      await consume(group, [topic], async (m) => effect(m)).start();
      await waitUntil(() => effects.length === 10, 'all effects');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(effects).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      expect(deliveries.get('4')).toBeGreaterThanOrEqual(2);
      expect([...deliveries.values()].every((n) => n <= 2)).toBe(true);
    });

    it('dead-letters a poison message with its error, and later messages of the partition still flow', async () => {
      const topic = await h.topic('poison', 1);
      const group = h.group('poison');
      const handled: string[] = [];
      const attemptsOf = new Map<string, number>();
      const handler = reliable(
        async (m) => {
          attemptsOf.set(m.value, (attemptsOf.get(m.value) ?? 0) + 1);
          if (m.value === 'poison') throw new PermanentError('cannot read this');
          if (m.value === 'flaky' && (attemptsOf.get('flaky') ?? 0) < 3)
            throw new Error('briefly unavailable');
          if (m.value === 'broken') throw new Error('always fails');
          handled.push(m.value);
        },
        {
          groupId: group,
          publisher: h.bus.publisher(),
          maxAttempts: 4,
          baseDelayMs: 5,
          maxDelayMs: 20,
        },
      );
      await consume(group, [topic], handler).start();
      await h.bus.publisher().publish([
        {
          topic,
          messages: ['ok-1', 'poison', 'flaky', 'broken', 'ok-2'].map((v) =>
            message('same-key', v),
          ),
        },
      ]);
      await waitUntil(() => handled.includes('ok-2'), 'the message after the poison');
      expect(handled).toEqual(['ok-1', 'flaky', 'ok-2']);
      expect(attemptsOf.get('poison')).toBe(1);
      expect(attemptsOf.get('flaky')).toBe(3);
      expect(attemptsOf.get('broken')).toBe(4);

      const dead: IncomingMessage[] = [];
      await consume(h.group('dlq-reader'), [dlqOf(topic)], async (m) => {
        dead.push(m);
      }).start();
      await waitUntil(() => dead.length >= 2, 'two dead letters');
      expect(dead.map((m) => m.value)).toEqual(['poison', 'broken']);
      expect(dead[0]?.headers[DLQ_HEADERS.error]).toMatch(/PermanentError: cannot read this/);
      expect(dead[0]?.headers[DLQ_HEADERS.attempts]).toBe('1');
      expect(dead[1]?.headers[DLQ_HEADERS.attempts]).toBe('4');
      expect(dead[1]?.headers[DLQ_HEADERS.sourceTopic]).toBe(topic);
      expect(dead[1]?.headers['x-id']).toBe('same-key:broken');
    });

    it('splits partitions between group members and hands them over when one leaves', async () => {
      const topic = await h.topic('split', 4);
      const group = h.group('split');
      const byMember: Record<'a' | 'b', string[]> = { a: [], b: [] };
      const a = consume(group, [topic], async (m) => {
        byMember.a.push(m.value);
      });
      const b = consume(group, [topic], async (m) => {
        byMember.b.push(m.value);
      });
      await a.start();
      await b.start();
      const partitionsOf = (c: MessageConsumer) => c.assignment()[topic] ?? [];
      await waitUntil(
        () =>
          partitionsOf(a).length > 0 &&
          partitionsOf(b).length > 0 &&
          partitionsOf(a).length + partitionsOf(b).length === 4,
        'a balanced group',
      );
      expect([...partitionsOf(a), ...partitionsOf(b)].sort()).toEqual([0, 1, 2, 3]);

      const publisher = h.bus.publisher();
      await publisher.publish([
        { topic, messages: Array.from({ length: 40 }, (_, i) => message(`key-${i}`, `one-${i}`)) },
      ]);
      await waitUntil(() => byMember.a.length + byMember.b.length >= 40, 'forty messages');
      expect(new Set([...byMember.a, ...byMember.b]).size).toBe(40);
      expect(byMember.a.length).toBeGreaterThan(0);
      expect(byMember.b.length).toBeGreaterThan(0);

      await a.stop();
      await waitUntil(() => partitionsOf(b).length === 4, 'b owning every partition');
      await publisher.publish([
        { topic, messages: Array.from({ length: 20 }, (_, i) => message(`key-${i}`, `two-${i}`)) },
      ]);
      await waitUntil(
        () => byMember.b.filter((v) => v.startsWith('two-')).length >= 20,
        'b handling the rest',
      );
      expect(byMember.a.filter((v) => v.startsWith('two-'))).toEqual([]);
    });
  });
}
