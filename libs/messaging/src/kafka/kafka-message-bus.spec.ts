import type { EachBatchPayload, Kafka, ProducerBatch } from 'kafkajs';
import { KafkaMessageBus } from './kafka-message-bus';

/**
 * A broker as Kafka keeps an idempotent producer's batches: per producer id, the sequence
 * number of the last batch written; a batch numbered as that one is acked as a duplicate and
 * not written. It can write a batch and lose the answer, as a broker stopping does.
 */
class Broker {
  readonly log: string[] = [];
  private readonly lastSequence = new Map<number, number>();
  private nextProducerId = 1;
  loseNextAnswer = false;

  producerId(): number {
    return this.nextProducerId++;
  }

  produce(producerId: number, sequence: number, values: string[]): void {
    if (this.lastSequence.get(producerId) === sequence) return;
    this.lastSequence.set(producerId, sequence);
    this.log.push(...values);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new Error('Connection closed before the answer');
    }
  }
}

/** A producer that numbers its batches as kafkajs does: the number moves on an answer only. */
function kafkaOn(broker: Broker): { kafka: Kafka; sessions: () => number } {
  let sessions = 0;
  const kafka = {
    producer: () => {
      sessions += 1;
      const producerId = broker.producerId();
      let sequence = 0;
      return {
        connect: async () => undefined,
        disconnect: async () => undefined,
        sendBatch: async (batch: ProducerBatch) => {
          const values = (batch.topicMessages ?? []).flatMap((t) =>
            t.messages.map((m) => String(m.value)),
          );
          broker.produce(producerId, sequence, values);
          sequence += 1;
          return [];
        },
      };
    },
  };
  return { kafka: kafka as unknown as Kafka, sessions: () => sessions };
}

const batch = (value: string) => [
  { topic: 'parley.posts', messages: [{ key: 'post-1', value, headers: {} }] },
];

describe('the Kafka publisher', () => {
  it('loses no event sent after a send whose answer was lost: the next one starts a new producer session', async () => {
    const broker = new Broker();
    const { kafka, sessions } = kafkaOn(broker);
    const publisher = new KafkaMessageBus(kafka, { consumerMaxWaitMs: 20 }).publisher();

    await publisher.publish(batch('drafted'));
    broker.loseNextAnswer = true;
    await expect(publisher.publish(batch('liked'))).rejects.toThrow('before the answer');
    // The relay moves on to what was appended since, and sends the unanswered one again later.
    await publisher.publish(batch('commented'));
    await publisher.publish(batch('liked'));

    expect(broker.log).toEqual(['drafted', 'liked', 'commented', 'liked']);
    expect(sessions()).toBe(2);
  });

  it('keeps one producer session while its sends are answered', async () => {
    const broker = new Broker();
    const { kafka, sessions } = kafkaOn(broker);
    const publisher = new KafkaMessageBus(kafka, { consumerMaxWaitMs: 20 }).publisher();
    for (const value of ['drafted', 'published', 'liked']) await publisher.publish(batch(value));
    expect(broker.log).toEqual(['drafted', 'published', 'liked']);
    expect(sessions()).toBe(1);
  });
});

/**
 * A consumer group as the broker keeps it for one member: it is given partition 0 of
 * `parley.posts`, then one batch; commits are refused while `down` (the broker away).
 */
function groupOn(messages: string[]) {
  const committed: string[] = [];
  let refused = 0;
  let down = false;
  const listeners = new Map<string, (event: unknown) => void>();
  const events = { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' };
  const consumer = {
    events,
    on: (name: string, listener: (event: unknown) => void) => listeners.set(name, listener),
    connect: async () => undefined,
    subscribe: async () => undefined,
    stop: async () => undefined,
    disconnect: async () => undefined,
    commitOffsets: async (offsets: { topic: string; partition: number; offset: string }[]) => {
      if (down) {
        refused += 1;
        throw new Error('Connection error: connect ECONNREFUSED');
      }
      committed.push(...offsets.map((o) => `${o.topic}:${o.partition}@${o.offset}`));
    },
    run: async ({ eachBatch }: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
      listeners.get(events.GROUP_JOIN)?.({
        payload: { memberAssignment: { 'parley.posts': [0] } },
      });
      down = true;
      const batch = {
        topic: 'parley.posts',
        partition: 0,
        messages: messages.map((value, i) => ({
          offset: String(i),
          key: null,
          value: Buffer.from(value),
          headers: {},
          timestamp: '0',
        })),
      };
      void eachBatch({
        batch,
        resolveOffset: () => undefined,
        heartbeat: async () => undefined,
        isRunning: () => true,
        isStale: () => false,
      } as unknown as EachBatchPayload);
    },
  };
  const kafka = { consumer: () => consumer } as unknown as Kafka;
  return {
    kafka,
    committed,
    refused: () => refused,
    brokerBack: () => {
      down = false;
    },
  };
}

describe('a Kafka consumer group member', () => {
  it('commits what it handled before the broker went away once the broker is back, with no new message', async () => {
    const group = groupOn(['drafted', 'published']);
    const handled: string[] = [];
    const member = new KafkaMessageBus(group.kafka, { consumerMaxWaitMs: 20 }).consumer({
      groupId: 'parley-posts.test',
      topics: ['parley.posts'],
      fromBeginning: true,
      handler: async (m) => {
        handled.push(m.value);
      },
    });
    await member.start();
    await waitFor(() => group.refused() > 0);
    expect(handled).toEqual(['drafted', 'published']);
    expect(group.committed).toEqual([]);

    group.brokerBack();
    await waitFor(() => group.committed.length > 0);
    expect(group.committed).toEqual(['parley.posts:0@2']);
    await member.stop();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
