import { MongoEventStore, MongoLeaseStore } from '@parley/eventstore';
import { describeInfra, openScratchDatabase } from '@parley/testing';
import { relayContract } from './testing/relay.contract';

describeInfra('the relay over the real Mongo-compatible server', () => {
  relayContract('mongo (one document per commit)', async () => {
    const { connection, close } = await openScratchDatabase('relay');
    const store = new MongoEventStore(connection, '/parley/test');
    await store.init();
    return {
      store,
      leases: new MongoLeaseStore(connection),
      close,
    };
  });
});
