import type { DomainEvent, EventData } from '@parley/contracts';

/** A comment as the comments service posts it, with what a post's figures need. */
export function commentPosted(
  postId: string,
  commentId: string,
  status: 'approved' | 'pending' | 'spam',
  at = '2026-11-24T12:00:00.000Z',
): DomainEvent<'parley.comment.posted.v3'> {
  const data: EventData<'parley.comment.posted.v3'> = {
    commentId,
    postId,
    parentId: null,
    ancestorIds: [],
    ancestorAuthorIds: [],
    depth: 1,
    author: { kind: 'account', accountId: `reader-${commentId}`, displayName: 'A reader' },
    body: 'Lovely post',
    html: '<p>Lovely post</p>',
    status,
    moderationReason: status === 'approved' ? null : 'held for review',
    notify: 'none',
    postAuthorId: null,
    postTitle: 'A post',
    postSlug: 'a-post',
    viewerTokenHash: null,
    postedAt: at,
  };
  return { type: 'parley.comment.posted.v3', data };
}

type ModerationType =
  | 'parley.comment.approved.v1'
  | 'parley.comment.unapproved.v1'
  | 'parley.comment.marked-spam.v1'
  | 'parley.comment.trashed.v1';

export function commentModerated(
  type: ModerationType,
  postId: string,
  commentId: string,
  at = '2026-11-24T12:00:00.000Z',
): DomainEvent<ModerationType> {
  return { type, data: { postId, commentId, by: 'moderator', at } };
}

export function commentRestored(
  postId: string,
  commentId: string,
  status: 'pending' | 'approved',
): DomainEvent<'parley.comment.restored.v1'> {
  return {
    type: 'parley.comment.restored.v1',
    data: { postId, commentId, by: 'moderator', at: '2026-11-24T12:00:00.000Z', status },
  };
}

export function commentDeleted(
  postId: string,
  commentId: string,
): DomainEvent<'parley.comment.deleted.v1'> {
  return {
    type: 'parley.comment.deleted.v1',
    data: { postId, commentId, deletedBy: 'someone', deletedAt: '2026-11-24T12:00:00.000Z' },
  };
}

export function displayNameChanged(
  accountId: string,
  displayName: string,
): DomainEvent<'parley.account.display-name-changed.v2'> {
  return {
    type: 'parley.account.display-name-changed.v2',
    data: { accountId, displayName, changedAt: '2026-11-24T12:00:00.000Z' },
  };
}

/** An account as the gateway's identity registers it (its name in clear, as written before sealing). */
export function accountRegistered(
  accountId: string,
  displayName: string,
): DomainEvent<'parley.account.registered.v2'> {
  return {
    type: 'parley.account.registered.v2',
    data: {
      accountId,
      email: `${accountId}@example.com`,
      displayName,
      roles: ['reader'],
      registeredAt: '2026-11-01T12:00:00.000Z',
    },
  };
}
