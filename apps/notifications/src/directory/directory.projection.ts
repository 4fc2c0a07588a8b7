import type { CommentStatus, EventData, NotifyChoice } from '@parley/contracts';
import {
  type AccountProfile,
  commentStatusAfter,
  ERASED_PERSON_NAME,
  profileAfter,
} from '@parley/domain';
import { openAccountEventFor } from '@parley/platform';
import { type Projection, type Versioned, applyToOwnedDocument } from '@parley/readmodel';

/** What the policy needs of an account: where to write, whether it may, what to call it. */
export interface AccountEntry extends Versioned, AccountProfile {
  email: string;
}

export interface PostEntry extends Versioned {
  authorId: string | null;
  title: string;
  slug: string;
  published: boolean;
  deleted: boolean;
}

/**
 * A guest's email and name as the event carries them: sealed with the guest's key, which only
 * the comments service holds (the policy asks it to open them), or plaintext from before sealing.
 */
export type CommentAuthorEntry =
  /** By id only: the account's name is the account's, in the accounts (a comment before v3 copied it). */
  | { kind: 'account'; accountId: string }
  | { kind: 'guest'; email: string; name: string }
  /** Erased at their request: nobody to notify of replies, no address or name kept. */
  | { kind: 'erased'; name: string };

/** What the policy needs of a comment once its posted event is gone by: enough to notify on approval. */
export interface CommentEntry extends Versioned {
  postId: string;
  parentId: string | null;
  ancestorIds: string[];
  ancestorAuthorIds: (string | null)[];
  author: CommentAuthorEntry;
  status: CommentStatus;
  deleted: boolean;
  excerpt: string;
  notify: NotifyChoice;
  postAuthorId: string | null;
  postTitle: string;
  postSlug: string;
  postedAt: string;
}

export const DIRECTORY = 'directory';

/** A comment's text as a short plain excerpt for mail and the inbox. */
export function excerptOf(body: string, length = 280): string {
  const plain = body.replace(/\s+/g, ' ').trim();
  return plain.length <= length ? plain : `${plain.slice(0, length - 1).trimEnd()}…`;
}

/** What the directory keeps of a posted comment, and what the policy knows of it on posting. */
export function commentEntryOf(d: EventData<'parley.comment.posted.v3'>): Omit<CommentEntry, '_v'> {
  return {
    _id: d.commentId,
    postId: d.postId,
    parentId: d.parentId,
    ancestorIds: d.ancestorIds,
    ancestorAuthorIds: d.ancestorAuthorIds,
    author:
      d.author.kind === 'account'
        ? { kind: 'account', accountId: d.author.accountId }
        : { kind: 'guest', email: d.author.email, name: d.author.name },
    status: d.status,
    deleted: false,
    excerpt: excerptOf(d.body),
    notify: d.notify,
    postAuthorId: d.postAuthorId,
    postTitle: d.postTitle,
    postSlug: d.postSlug,
    postedAt: d.postedAt,
  };
}

/** Accounts, posts and comments as far as notifications need them, from the other services' topics. */
export const directoryProjection: Projection<'accounts' | 'posts' | 'comments'> = {
  name: DIRECTORY,
  topics: ['accounts', 'posts', 'comments'],
  collections: {
    accounts: [{ keys: { roles: 1 } }],
    posts: [],
    comments: [{ keys: { postId: 1 } }],
  },
  async apply(sealed, db, context) {
    // An account's address and name are opened once, through the gateway's identity: the
    // directory keeps them in plaintext (the mailer needs the address) and drops them on erasure.
    const event = await openAccountEventFor(sealed, context);
    switch (event.type) {
      case 'parley.account.registered.v2':
      case 'parley.account.email-verified.v2':
      case 'parley.account.display-name-changed.v2':
      case 'parley.account.roles-changed.v1':
      case 'parley.account.erased.v1': {
        const id = event.data.accountId;
        await applyToOwnedDocument<AccountEntry>(
          db.collection('accounts'),
          id,
          event,
          (current) => {
            switch (event.type) {
              case 'parley.account.registered.v2':
                return {
                  _id: id,
                  email: event.data.email,
                  emailVerified: false,
                  displayName: event.data.displayName,
                  roles: event.data.roles,
                };
              case 'parley.account.email-verified.v2':
                return current && { ...profileAfter(current, event), email: event.data.email };
              case 'parley.account.display-name-changed.v2':
              case 'parley.account.roles-changed.v1':
                return current && profileAfter(current, event);
              case 'parley.account.erased.v1':
                // No address is left to write to, and no name to show.
                return current && { ...profileAfter(current, event), email: '' };
            }
          },
        );
        return;
      }
      case 'parley.post.drafted.v2':
      case 'parley.post.edited.v1':
      case 'parley.post.published.v2':
      case 'parley.post.unpublished.v1':
      case 'parley.post.deleted.v1': {
        const id = event.data.postId;
        await applyToOwnedDocument<PostEntry>(db.collection('posts'), id, event, (current) => {
          const base: Omit<PostEntry, '_v'> = current ?? {
            _id: id,
            authorId: null,
            title: '',
            slug: '',
            published: false,
            deleted: false,
          };
          switch (event.type) {
            case 'parley.post.drafted.v2':
              return {
                ...base,
                authorId: event.data.authorId,
                title: event.data.title,
                slug: event.data.slug,
              };
            case 'parley.post.edited.v1':
              return { ...base, title: event.data.title, slug: event.data.slug };
            case 'parley.post.published.v2':
              return {
                ...base,
                authorId: event.data.authorId,
                title: event.data.title,
                slug: event.data.slug,
                published: true,
              };
            case 'parley.post.unpublished.v1':
              return { ...base, published: false };
            case 'parley.post.deleted.v1':
              return { ...base, published: false, deleted: true };
          }
        });
        return;
      }
      case 'parley.comment.posted.v3':
      case 'parley.comment.approved.v1':
      case 'parley.comment.unapproved.v1':
      case 'parley.comment.marked-spam.v1':
      case 'parley.comment.trashed.v1':
      case 'parley.comment.restored.v1':
      case 'parley.comment.edited.v1':
      case 'parley.comment.deleted.v1':
      case 'parley.comment.author-erased.v1': {
        const id = event.data.commentId;
        await applyToOwnedDocument<CommentEntry>(
          db.collection('comments'),
          id,
          event,
          (current) => {
            if (event.type === 'parley.comment.posted.v3') return commentEntryOf(event.data);
            if (!current) return null;
            const moved = { ...current, status: commentStatusAfter(current.status, event) };
            switch (event.type) {
              case 'parley.comment.approved.v1':
              case 'parley.comment.unapproved.v1':
              case 'parley.comment.marked-spam.v1':
              case 'parley.comment.trashed.v1':
              case 'parley.comment.restored.v1':
                return moved;
              case 'parley.comment.edited.v1':
                return { ...moved, excerpt: excerptOf(event.data.body) };
              case 'parley.comment.deleted.v1':
                return { ...moved, deleted: true };
              case 'parley.comment.author-erased.v1': {
                const erased = {
                  ...moved,
                  author: { kind: 'erased' as const, name: ERASED_PERSON_NAME },
                };
                return event.data.mode === 'remove'
                  ? { ...erased, excerpt: '', deleted: true }
                  : erased;
              }
            }
          },
        );
        return;
      }
      case 'parley.post.scheduled.v1':
      case 'parley.post.comment-settings-changed.v1':
      case 'parley.post.liked.v2':
      case 'parley.post.unliked.v1':
      case 'parley.comment.liked.v1':
      case 'parley.comment.unliked.v1':
      case 'parley.comment-settings.changed.v1':
      case 'parley.session.ended.v1':
        return;
    }
  },
};
