import { dlqOf } from '@parley/contracts';
import { describeInfra, testInfra, uniqueName } from '@parley/testing';
import { Kafka, logLevel } from 'kafkajs';
import { messageBusContract } from '../testing/bus.contract';
import { KafkaMessageBus } from './kafka-message-bus';

describeInfra('KafkaMessageBus on the real broker', () => {
  messageBusContract('kafka', async () => {
    const kafka = new Kafka({
      clientId: 'bus-contract',
      brokers: testInfra().kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const bus = new KafkaMessageBus(kafka, { consumerMaxWaitMs: 20 });
    const created: string[] = [];
    const safe = (label: string) => uniqueName(label).replace(/[^a-zA-Z0-9._-]/g, '-');
    return {
      bus,
      async topic(label, partitions) {
        const name = safe(label);
        await bus.ensureTopics([
          { name, partitions },
          { name: dlqOf(name), partitions: 1 },
        ]);
        created.push(name, dlqOf(name));
        return name;
      },
      group: (label) => safe(`group-${label}`),
      async close() {
        await bus.close();
        const admin = kafka.admin();
        await admin.connect();
        await admin.deleteTopics({ topics: created }).catch(() => undefined);
        await admin.disconnect();
      },
    };
  });
});

describeInfra('KafkaMessageBus group prefixes', () => {
  it('keeps the groups of two runs that share a cluster apart: each run gets every message', async () => {
    const kafka = new Kafka({
      clientId: 'bus-prefix',
      brokers: testInfra().kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const safe = (label: string) => uniqueName(label).replace(/[^a-zA-Z0-9._-]/g, '-');
    const runs = [safe('run-a'), safe('run-b')].map((prefix) => ({
      prefix,
      bus: new KafkaMessageBus(kafka, { consumerMaxWaitMs: 20, groupPrefix: prefix }),
      topic: `${prefix}.events`,
      seen: [] as string[],
    }));
    try {
      for (const run of runs) {
        await run.bus.ensureTopics([{ name: run.topic, partitions: 3 }]);
        await run.bus.publisher().publish([
          {
            topic: run.topic,
            messages: ['1', '2', '3', '4'].map((value) => ({ key: value, value, headers: {} })),
          },
        ]);
      }
      // The same group id in both runs, as two test runs of one service would have.
      const consumers = runs.map((run) =>
        run.bus.consumer({
          groupId: 'parley-service.projection.g1',
          topics: [run.topic],
          fromBeginning: true,
          handler: async (message) => {
            run.seen.push(message.value);
          },
        }),
      );
      await Promise.all(consumers.map((c) => c.start()));
      const deadline = Date.now() + 30_000;
      while (runs.some((run) => run.seen.length < 4) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await Promise.all(consumers.map((c) => c.stop()));
      for (const run of runs) expect([...run.seen].sort()).toEqual(['1', '2', '3', '4']);
    } finally {
      await Promise.all(runs.map((run) => run.bus.close()));
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: runs.map((run) => run.topic) }).catch(() => undefined);
      await admin.disconnect();
    }
  }, 60_000);
});
