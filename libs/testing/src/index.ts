export * from './infra';
export * from './service-harness';
export * from './sse';
export * from './events';
export * from './service-process';
export * from './mail-catcher';
export * from './http-json';
export * from './decider-spec';
