export * from './correlation-context';
export * from './logger';
