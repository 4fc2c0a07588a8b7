import { describeInfra } from '@parley/testing';
import { commentsScenario } from './testing/comments-scenario';

describeInfra('the comments service on Kafka and the Mongo-compatible server', () => {
  commentsScenario('distributed');
});
