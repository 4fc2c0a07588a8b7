import { describeInfra, testInfra } from '@parley/testing';
import mongoose from 'mongoose';
import { documentStoreContract } from '../testing/document-store.contract';
import { MongoDocumentStore } from './mongo-document-store';

describeInfra('MongoDocumentStore on the real Mongo-compatible server', () => {
  documentStoreContract('mongo', async () => {
    const connection = await mongoose
      .createConnection(testInfra().mongoUri('readmodel'))
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
