import { z } from 'zod';
import {
  displayNameSchema,
  emailSchema,
  idSchema,
  importedFromSchema,
  isoTimeSchema,
  personalDataSchema,
} from './common.schemas';

export const COMMENT_STATUSES = ['pending', 'approved', 'spam', 'trash'] as const;
export const commentStatusSchema = z.enum(COMMENT_STATUSES);
export type CommentStatus = z.infer<typeof commentStatusSchema>;

export const commentAuthorSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('account'),
    accountId: idSchema,
    /**
     * Only in events written before v3: an account's name belongs to the account (sealed in its
     * events); readers take it from the account events, by accountId.
     */
    displayName: displayNameSchema.optional(),
  }),
  z.object({
    kind: z.literal('guest'),
    /** Stable pseudonymous id of the guest: a keyed hash of the lower-cased email. */
    guestId: idSchema,
    /** Sealed with the guest's key, which the comments service keeps (POST /v1/personal-data/opened opens it). */
    name: personalDataSchema(displayNameSchema),
    /** Sealed with the guest's key, like the name. */
    email: personalDataSchema(emailSchema),
    /** Sealed with the guest's key, like the name; null when the guest gave no website. */
    url: personalDataSchema(z.url()).nullable(),
  }),
]);
export type CommentAuthor = z.infer<typeof commentAuthorSchema>;

/** What a comment is: written on the page, or a notice that another site linked to the post. */
export const COMMENT_KINDS = ['comment', 'pingback', 'trackback'] as const;
export const commentKindSchema = z.enum(COMMENT_KINDS);
export type CommentKind = z.infer<typeof commentKindSchema>;

export const notifyChoiceSchema = z.enum(['none', 'replies', 'all']);
export type NotifyChoice = z.infer<typeof notifyChoiceSchema>;

/** What erasing a person leaves of their comments: anonymized ("Deleted reader") or removed to tombstones. */
export const ERASURE_MODES = ['anonymize', 'remove'] as const;
export const erasureModeSchema = z.enum(ERASURE_MODES);
export type ErasureMode = z.infer<typeof erasureModeSchema>;

/** Whose data an erasure removed: the author as comment events name them, without personal data. */
export const erasedAuthorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('account'), accountId: idSchema }),
  z.object({ kind: z.literal('guest'), guestId: idSchema }),
]);
export type ErasedAuthor = z.infer<typeof erasedAuthorSchema>;

const ref = { commentId: idSchema, postId: idSchema };
const byModerator = { by: idSchema, at: isoTimeSchema };

export const commentEvents = {
  /**
   * v3: an account author is named by id only (v2 copied the account's name); v2: a guest
   * author's name, email and website are sealed (v1 carried them in plaintext).
   */
  'parley.comment.posted.v3': z.object({
    ...ref,
    parentId: idSchema.nullable(),
    /** Every ancestor, the thread's root first and the parent last: no lookup needed downstream. */
    ancestorIds: z.array(idSchema),
    /** Authors of the ancestors, in the same order, so reply notifications need no lookup. */
    ancestorAuthorIds: z.array(idSchema.nullable()),
    /** Display depth from 1; a reply below the blog's maximum depth is shown at the maximum. */
    depth: z.number().int().positive(),
    author: commentAuthorSchema,
    body: z.string(),
    html: z.string(),
    status: z.enum(['approved', 'pending', 'spam']),
    /** Why a comment was held or marked spam (the moderation rule), null when approved. */
    moderationReason: z.string().nullable(),
    notify: notifyChoiceSchema,
    postAuthorId: idSchema.nullable(),
    postTitle: z.string(),
    postSlug: z.string(),
    /** Hash of the token a guest presents to see their own held comment. */
    viewerTokenHash: z.string().nullable(),
    /**
     * The writer's client address as the gateway keys it (a keyed hash, never the address),
     * for flood control and duplicate detection across names and emails; absent before it was kept.
     */
    clientKey: z.string().max(128).nullable().optional(),
    postedAt: isoTimeSchema,
    /** A pingback or trackback kept from an imported blog; absent for a comment. */
    kind: commentKindSchema.optional(),
    /** Set when the comment was imported (postedAt is then its original date): it notifies nobody. */
    imported: importedFromSchema.optional(),
  }),
  'parley.comment.approved.v1': z.object({ ...ref, ...byModerator }),
  'parley.comment.unapproved.v1': z.object({ ...ref, ...byModerator }),
  'parley.comment.marked-spam.v1': z.object({ ...ref, ...byModerator }),
  'parley.comment.trashed.v1': z.object({ ...ref, ...byModerator }),
  'parley.comment.restored.v1': z.object({
    ...ref,
    ...byModerator,
    status: z.enum(['pending', 'approved']),
  }),
  'parley.comment.edited.v1': z.object({
    ...ref,
    body: z.string(),
    html: z.string(),
    editedBy: idSchema,
    byModerator: z.boolean(),
    editedAt: isoTimeSchema,
  }),
  'parley.comment.deleted.v1': z.object({ ...ref, deletedBy: idSchema, deletedAt: isoTimeSchema }),
  /**
   * Its author was erased: every read model drops their name, email, website and avatar
   * ("Deleted reader"), and with `remove` the body too, leaving a tombstone that keeps its replies.
   */
  'parley.comment.author-erased.v1': z.object({
    ...ref,
    author: erasedAuthorSchema,
    mode: erasureModeSchema,
    erasedAt: isoTimeSchema,
  }),
  'parley.comment.liked.v1': z.object({ ...ref, accountId: idSchema, likedAt: isoTimeSchema }),
  'parley.comment.unliked.v1': z.object({ ...ref, accountId: idSchema, unlikedAt: isoTimeSchema }),
  'parley.comment-settings.changed.v1': z.object({
    threadDepth: z.number().int().min(1).max(10),
    editWindowMinutes: z.number().int().min(0).max(10080),
    requireApproval: z.boolean(),
    requirePreviouslyApproved: z.object({ guests: z.boolean(), accounts: z.boolean() }),
    maxLinks: z.number().int().min(0).max(100),
    holdWords: z.array(z.string().min(1)),
    spamWords: z.array(z.string().min(1)),
    floodSeconds: z.number().int().min(0).max(3600),
    commentsPerPage: z.number().int().min(1).max(500),
    defaultOrder: z.enum(['oldest', 'newest']),
    changedBy: idSchema,
    changedAt: isoTimeSchema,
  }),
};

/** Kept inside the comments store, never published: what moderators see of where a comment came from. */
export const commentPrivateEvents = {
  /**
   * The writer's IP address and user agent, each sealed (pd1) with the writer's key of the
   * day's retention period, so they are gone once the retention job destroys that key; null
   * when the gateway did not know them.
   */
  'parley.comment.origin-recorded.v1': z.object({
    commentId: idSchema,
    ip: z.string().max(1024).nullable(),
    userAgent: z.string().max(4096).nullable(),
    recordedAt: isoTimeSchema,
  }),
};

/**
 * v1 carried a guest's name, email and website in plaintext: it reads as v2 with those values
 * as they were, which every reader of a sealed field takes as legacy plaintext.
 */
export const commentUpcasters = [
  {
    from: 'parley.comment.posted.v1',
    to: 'parley.comment.posted.v2',
    upcast: (data: unknown) => data,
  },
  {
    from: 'parley.comment.posted.v2',
    to: 'parley.comment.posted.v3',
    upcast: (data: unknown) => data,
  },
];
