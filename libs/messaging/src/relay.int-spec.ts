import { MongoEventStore, MongoLeaseStore } from '@parley/eventstore';
import { describeInfra, testInfra } from '@parley/testing';
import mongoose, { type Connection } from 'mongoose';
import { relayContract } from './testing/relay.contract';

describeInfra('the relay over the real Mongo-compatible server', () => {
  relayContract('mongo (one document per commit)', async () => {
    const connection: Connection = await mongoose
      .createConnection(testInfra().mongoUri('relay'))
      .asPromise();
    const store = new MongoEventStore(connection, '/parley/test');
    await store.init();
    return {
      store,
      leases: new MongoLeaseStore(connection),
      async close() {
        await connection.dropDatabase().catch(() => undefined);
        await connection.close();
      },
    };
  });
});
