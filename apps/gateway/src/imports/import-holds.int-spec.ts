import { MongoDocumentStore } from '@parley/readmodel';
import { describeInfra, openScratchDatabase } from '@parley/testing';
import { importTakeOverScenario } from './import-holds.scenario';

describeInfra('import holds on the real Mongo-compatible server', () => {
  importTakeOverScenario('mongo', async () => {
    const { connection, close } = await openScratchDatabase('import-holds');
    return { store: new MongoDocumentStore(connection), close };
  });
});
