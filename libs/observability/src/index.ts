export * from './correlation-context';
export * from './logger';
export * from './metrics';
export * from './tracing';
