import {
  PrivateMongo,
  type ServiceProcess,
  describeInfra,
  sleep,
  spawnServiceProcess,
  testInfra,
  uniqueName,
} from '@parley/testing';

jest.setTimeout(120_000);

describeInfra('a service started before its database is up', () => {
  const mongo = new PrivateMongo('start-retry', 27231);
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop();
    await mongo.down();
  });

  it('tries again with backoff and starts once the database is there', async () => {
    const starting = spawnServiceProcess('posts', {
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      MONGODB_URI: mongo.uri(uniqueName('start_retry').replace(/[^a-zA-Z0-9_]/g, '_')),
      KAFKA_TOPIC_PREFIX: uniqueName('start-retry').replace(/[^a-zA-Z0-9._-]/g, '-'),
      PORT: '0',
      HOST: '127.0.0.1',
      // No gateway runs: nothing here opens an account's data.
      IDENTITY_URL: 'http://127.0.0.1:9',
    });
    // Nothing listens on the database's port for the first attempt (it fails after the
    // driver's 5 s server selection): without a second attempt the process would exit 1.
    await sleep(6_000);
    await mongo.up();
    service = await starting;
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(200);
  });
});
