import { describeInfra } from '@parley/testing';
import { restartScenario } from './testing/restart-scenario';

describeInfra('the post scheduler on Kafka and the Mongo-compatible server', () => {
  restartScenario('distributed');
});
