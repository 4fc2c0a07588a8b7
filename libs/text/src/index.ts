export * from './markdown';
export * from './nesting';
