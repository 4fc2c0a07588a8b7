export * from './comment-status';
export * from './wordpress-id';
