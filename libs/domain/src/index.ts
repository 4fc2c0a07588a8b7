export * from './comment-status';
export * from './wordpress-id';
export * from './erased-person';
export * from './imported-writer';
