export * from './wxr-reader';
export * from './wordpress-import';
export * from './import-command';
