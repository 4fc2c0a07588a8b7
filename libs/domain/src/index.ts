export * from './comment-status';
