import { describeInfra, openScratchDatabase } from '@parley/testing';
import { documentStoreContract } from '../testing/document-store.contract';
import { MongoDocumentStore } from './mongo-document-store';

describeInfra('MongoDocumentStore on the real Mongo-compatible server', () => {
  documentStoreContract('mongo', async () => {
    const { connection, close } = await openScratchDatabase('readmodel');
    return { store: new MongoDocumentStore(connection), close };
  });
});
