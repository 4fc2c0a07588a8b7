import type { Kafka, ProducerBatch } from 'kafkajs';
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
