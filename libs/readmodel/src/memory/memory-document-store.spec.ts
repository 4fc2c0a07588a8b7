import { documentStoreContract } from '../testing/document-store.contract';
import { MemoryDocumentStore } from './memory-document-store';

documentStoreContract('memory (mingo)', async () => ({
  store: new MemoryDocumentStore(),
  close: async () => undefined,
}));
