import { MongoDocumentStore } from '@parley/readmodel';
import { describeInfra, testInfra } from '@parley/testing';
import mongoose from 'mongoose';
import { importTakeOverScenario } from './import-holds.scenario';

describeInfra('import holds on the real Mongo-compatible server', () => {
  importTakeOverScenario('mongo', async () => {
    const connection = await mongoose
      .createConnection(testInfra().mongoUri('import-holds'))
      .asPromise();
    return {
      store: new MongoDocumentStore(connection),
      async close() {
        await connection.dropDatabase().catch(() => undefined);
        await connection.close();
      },
    };
  });
});
