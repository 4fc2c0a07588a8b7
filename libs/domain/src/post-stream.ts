import type { DomainEvent } from '@parley/contracts';

/** The events of one post's stream: what the post aggregate and every read model of posts fold. */
export type PostStreamEvent = DomainEvent<
  | 'parley.post.drafted.v2'
  | 'parley.post.edited.v1'
  | 'parley.post.published.v2'
  | 'parley.post.scheduled.v1'
  | 'parley.post.unpublished.v1'
  | 'parley.post.deleted.v1'
  | 'parley.post.comment-settings-changed.v1'
>;
