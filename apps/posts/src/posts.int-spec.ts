import { describeInfra } from '@parley/testing';
import { postsScenario } from './testing/posts-scenario';

describeInfra('the posts service on Kafka and the Mongo-compatible server', () => {
  postsScenario('distributed');
});
