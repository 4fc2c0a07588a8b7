export * from './variables';
export * from './load-config';
export * from './app-config';
export * from './config-table';
