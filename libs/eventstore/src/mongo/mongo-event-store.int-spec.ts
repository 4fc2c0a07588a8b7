import { describeInfra, openScratchDatabase } from '@parley/testing';
import { eventStoreContract } from '../testing/event-store.contract';
import { MongoEventStore } from './mongo-event-store';
import { MongoLeaseStore } from './mongo-lease-store';

describeInfra('MongoEventStore on the real Mongo-compatible server', () => {
  eventStoreContract('mongo (one document per commit)', async () => {
    const { connection, close } = await openScratchDatabase('eventstore');
    const store = new MongoEventStore(connection, '/parley/test');
    await store.init();
    return {
      store,
      leases: new MongoLeaseStore(connection),
      async reopen() {
        const reopened = new MongoEventStore(connection, '/parley/test');
        await reopened.init();
        return reopened;
      },
      close,
    };
  });
});
