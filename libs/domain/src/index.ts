export * from './account-profile';
export * from './comment-status';
export * from './post-stream';
export * from './wordpress-id';
export * from './erased-person';
export * from './imported-writer';
