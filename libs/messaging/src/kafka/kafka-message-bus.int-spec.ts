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
