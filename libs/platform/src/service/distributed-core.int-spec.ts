import { loadConfig } from '@parley/config';
import { createLogger } from '@parley/observability';
import { describeInfra, testInfra, uniqueName } from '@parley/testing';
import { createDistributedInfrastructure } from './service-infrastructure';
import { coreScenario } from './testing/core-scenario';

describeInfra('the core on Kafka and the Mongo-compatible server', () => {
  coreScenario('Kafka + Mongo', async () => {
    const config = loadConfig('posts', {
      // Only its infrastructure is used: no account's data is opened through it.
      IDENTITY_URL: 'http://127.0.0.1:9',
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      MONGODB_URI: testInfra().mongoUri('core'),
      KAFKA_TOPIC_PREFIX: uniqueName('core').replace(/[^a-zA-Z0-9._-]/g, '-'),
      KAFKA_TOPIC_PARTITIONS: '3',
    });
    return createDistributedInfrastructure(
      config,
      createLogger('likes', 'silent'),
      undefined,
      'likes',
    );
  });
});
