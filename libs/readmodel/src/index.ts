export * from './document-store.port';
export * from './memory/memory-document-store';
export * from './mongo/mongo-document-store';
export * from './versioned';
export * from './projection';
export * from './live-read-models';
export * from './rebuild';
export * from './nest/projection.server';
