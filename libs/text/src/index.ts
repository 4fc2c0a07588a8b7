export * from './markdown';
export * from './nesting';
export * from './comparable-text';
export * from './wordpress';
