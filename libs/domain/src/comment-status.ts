import type { CommentStatus, DomainEvent } from '@parley/contracts';

/** The events of one comment's stream, the only ones that can move its status. */
export type CommentStreamEvent = DomainEvent<
  | 'parley.comment.posted.v3'
  | 'parley.comment.approved.v1'
  | 'parley.comment.unapproved.v1'
  | 'parley.comment.marked-spam.v1'
  | 'parley.comment.trashed.v1'
  | 'parley.comment.restored.v1'
  | 'parley.comment.edited.v1'
  | 'parley.comment.deleted.v1'
  | 'parley.comment.author-erased.v1'
>;

/**
 * A comment's moderation status once `event` has happened to it, `before` being its status
 * until then. The comment aggregate and every read model that shows or counts comments fold
 * it the same way; an edit or a deletion leaves the status as it was (a deleted comment keeps
 * its place as a tombstone).
 */
export function commentStatusAfter(
  before: CommentStatus,
  event: CommentStreamEvent,
): CommentStatus {
  switch (event.type) {
    case 'parley.comment.posted.v3':
      return event.data.status;
    case 'parley.comment.approved.v1':
      return 'approved';
    case 'parley.comment.unapproved.v1':
      return 'pending';
    case 'parley.comment.marked-spam.v1':
      return 'spam';
    case 'parley.comment.trashed.v1':
      return 'trash';
    case 'parley.comment.restored.v1':
      return event.data.status;
    case 'parley.comment.edited.v1':
    case 'parley.comment.deleted.v1':
    case 'parley.comment.author-erased.v1':
      return before;
    default: {
      const unknown: never = event;
      throw new Error(`Unknown comment event: ${JSON.stringify(unknown)}`);
    }
  }
}
