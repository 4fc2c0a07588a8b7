import { describeInfra } from '@parley/testing';
import { notificationsScenario } from './testing/notifications-scenario';

jest.setTimeout(180_000);

describeInfra('the notifications service on Kafka, the Mongo-compatible server and SMTP', () => {
  notificationsScenario('distributed');
});

describe('the notifications service embedded, with a real SMTP server', () => {
  notificationsScenario('embedded');
});
