import type { CommentKind, CommentStatus, ImportedFrom } from '@parley/contracts';
import type { AccountNameDocument } from '@parley/platform';
import type { Document, Versioned } from '@parley/readmodel';

export const THREAD_PROJECTION = 'thread';

export const THREAD_COLLECTIONS = {
  comments: 'comments',
  threads: 'threads',
  likes: 'comment_likes',
  authors: 'author_names',
  /** Counters moved by increments (`tally`), named by `THREAD_COUNTERS`. */
  counts: 'thread_counts',
  versions: 'post_thread_versions',
} as const;

/** The counters of the thread projection. */
export const THREAD_COUNTERS = {
  /** A post's approved comments, deleted ones left out. */
  approved: (postId: string) => `approved:${postId}`,
  /** A comment's likes. */
  likes: (commentId: string) => `likes:${commentId}`,
  /** The comments that came from one client (its keyed address) by status, deleted ones left out. */
  client: (clientKey: string, status: CommentStatus) => `client:${status}:${clientKey}`,
};

/** One comment, owned by its stream. */
export interface ThreadCommentDocument extends Versioned {
  postId: string;
  /** The top-level comment of its thread (itself for a top-level comment). */
  rootId: string;
  parentId: string | null;
  ancestorIds: string[];
  depth: number;
  /** Ancestor ids root first, then its own: sorting on it gives the display order of a thread. */
  sortKey: string;
  author: {
    kind: 'account' | 'guest';
    accountId: string | null;
    name: string;
    url: string | null;
  };
  authorKey: string;
  /** A guest's email, for moderators only: never part of a public view. */
  guestEmail?: string | null;
  /** The client address as the gateway keyed it, null when unknown: never the address itself. */
  clientKey: string | null;
  avatarSeed: string;
  body: string;
  /** Hash of the text as readers compare it, for duplicate detection. */
  textKey: string;
  html: string;
  status: CommentStatus;
  /** A pingback or trackback kept from an imported blog; absent for a comment. */
  kind?: CommentKind;
  /** Where an imported comment came from; absent for one written here. */
  imported?: ImportedFrom;
  /** The integer id WordPress clients know it by (see wordpressIdOf); absent before it was kept. */
  wordpressId?: number;
  moderationReason: string | null;
  viewerTokenHash: string | null;
  postAuthorId: string | null;
  postTitle: string;
  postSlug: string;
  postedAt: string;
  editedAt: string | null;
  deleted: boolean;
}

/** What a top-level thread shows, recounted from its comments whenever one changes. */
export interface ThreadDocument extends Document {
  postId: string;
  /** Shown to readers: the top-level comment is approved, or a tombstone with replies shown. */
  listed: boolean;
  /** Shown in the moderation view (held and spam comments too). */
  listedForModeration: boolean;
}

/** One account's like of one comment, owned by the like's stream. */
export interface CommentLikeDocument extends Versioned {
  commentId: string;
  postId: string;
  accountId: string;
  liked: boolean;
}

/** An account's current display name, so a new name reaches comments already written. */
export type AuthorNameDocument = AccountNameDocument;

/**
 * The latest version of each stream that changed what a post's thread shows (its comments and
 * their likes), recorded by the projection once the change is written, and how many times the
 * record moved on: a page kept at a count is current while the count holds.
 */
export interface PostThreadVersionDocument extends Document {
  streams: Record<string, number>;
  /** Moves of `streams` (a stream's version recorded higher); absent in records made before it. */
  changes?: number;
}

/** The key of a stream in `streams` (a field name holds no dot or dollar sign). */
export function threadVersionField(streamId: string): string {
  return streamId.replace(/[.$]/g, '_');
}

/** The document recording changes of authors' names, which show on every post. */
export const AUTHOR_NAMES_VERSION = '~author-names';

/**
 * Where a post's thread stands: how often its record moved on (and the names' record), which
 * grows with every change that reaches it. Read without the streams: the tag costs the same
 * however many comments the post has.
 */
export function threadVersionTag(
  docs: readonly Pick<PostThreadVersionDocument, '_id' | 'changes'>[],
  postId: string,
): string {
  const changes = (id: string) => docs.find((d) => d._id === id)?.changes ?? 0;
  return `c${changes(postId)}.${changes(AUTHOR_NAMES_VERSION)}`;
}
