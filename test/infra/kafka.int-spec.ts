import { describeInfra, testInfra, uniqueName, eventually } from '@parley/testing';
import { Kafka, logLevel } from 'kafkajs';

describeInfra('the real Kafka broker', () => {
  const kafka = new Kafka({
    clientId: 'smoke',
    brokers: testInfra().kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true });
  const topic = uniqueName('smoke').replace(/[^a-zA-Z0-9._-]/g, '-');

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('delivers what a producer sends to a consumer group, in order per key', async () => {
    const received: string[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('smoke-group'), maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(`${message.key?.toString()}:${message.value?.toString()}`);
      },
    });
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 4}`, value: String(i) }));
    await producer.send({ topic, acks: -1, messages });

    await eventually(() => (received.length === 20 ? true : undefined), { timeoutMs: 20_000 });
    for (const key of ['k0', 'k1', 'k2', 'k3']) {
      const values = received
        .filter((r) => r.startsWith(`${key}:`))
        .map((r) => Number(r.split(':')[1]));
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(values).toHaveLength(5);
    }
    await consumer.disconnect();

    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(20);
  });
});
