import type { DomainEvent, EventData } from '@parley/contracts';

export interface PostedOptions {
  postId?: string;
  parent?: EventData<'parley.comment.posted.v3'> | null;
  accountId?: string;
  guest?: { name: string; email: string };
  status?: 'approved' | 'pending' | 'spam';
  body?: string;
  depth?: number;
  viewerTokenHash?: string | null;
  postedAt?: string;
  /** The keyed address the comment was written from. */
  clientKey?: string;
}

/** A comment as the comments service posts it: below its parent, with the chain above it. */
export function commentPosted(
  commentId: string,
  options: PostedOptions = {},
): DomainEvent<'parley.comment.posted.v3'> {
  const parent = options.parent ?? null;
  const status = options.status ?? 'approved';
  return {
    type: 'parley.comment.posted.v3',
    data: {
      commentId,
      postId: options.postId ?? parent?.postId ?? 'post-1',
      parentId: parent?.commentId ?? null,
      ancestorIds: parent ? [...parent.ancestorIds, parent.commentId] : [],
      ancestorAuthorIds: parent
        ? [
            ...parent.ancestorAuthorIds,
            parent.author.kind === 'account' ? parent.author.accountId : null,
          ]
        : [],
      depth: options.depth ?? (parent ? parent.depth + 1 : 1),
      author: options.guest
        ? { kind: 'guest', guestId: `g-${options.guest.name}`, ...options.guest, url: null }
        : {
            kind: 'account',
            accountId: options.accountId ?? 'bea',
            displayName: options.accountId ?? 'bea',
          },
      body: options.body ?? `Comment ${commentId}`,
      html: `<p>${options.body ?? `Comment ${commentId}`}</p>`,
      status,
      moderationReason: status === 'approved' ? null : 'first-comment',
      notify: 'none',
      postAuthorId: 'ann',
      postTitle: 'Movie Quote Monday',
      postSlug: 'movie-quote-monday',
      viewerTokenHash: options.viewerTokenHash ?? null,
      postedAt: options.postedAt ?? '2026-11-24T12:00:00.000Z',
      ...(options.clientKey ? { clientKey: options.clientKey } : {}),
    },
  };
}

type ModerationType =
  | 'parley.comment.approved.v1'
  | 'parley.comment.unapproved.v1'
  | 'parley.comment.marked-spam.v1'
  | 'parley.comment.trashed.v1';

export function commentModerated(
  type: ModerationType,
  commentId: string,
  postId = 'post-1',
): DomainEvent<ModerationType> {
  return { type, data: { commentId, postId, by: 'mo', at: '2026-11-24T12:30:00.000Z' } };
}

export function commentDeleted(
  commentId: string,
  postId = 'post-1',
): DomainEvent<'parley.comment.deleted.v1'> {
  return {
    type: 'parley.comment.deleted.v1',
    data: { commentId, postId, deletedBy: 'bea', deletedAt: '2026-11-24T12:30:00.000Z' },
  };
}

export function commentAuthorErased(
  commentId: string,
  author: EventData<'parley.comment.author-erased.v1'>['author'],
  mode: 'anonymize' | 'remove',
  postId = 'post-1',
): DomainEvent<'parley.comment.author-erased.v1'> {
  return {
    type: 'parley.comment.author-erased.v1',
    data: { commentId, postId, author, mode, erasedAt: '2026-11-24T13:00:00.000Z' },
  };
}
