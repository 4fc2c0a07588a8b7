// Personal data sealed with a key per person, so that destroying the key erases it from an append-only log.
export * from './person';
export * from './person-key-store.port';
export * from './personal-data-cipher';
export * from './retention';
export * from './embedded/embedded-person-key-store';
export * from './mongo/mongo-person-key-store';
