import { z } from 'zod';
import { displayNameInputSchema, emailInputSchema, idSchema, safeText } from '../common.schemas';
import { commentKindSchema, commentStatusSchema, notifyChoiceSchema } from '../comments.events';

// Request and response schemas of the comments service's internal HTTP API, shared with the gateway.
export const COMMENTS_API_VERSION = 'v1';

/** Shortest and longest comment body, in characters (Unicode code points, after trimming). */
export const COMMENT_BODY_MIN_CHARS = 1;
export const COMMENT_BODY_MAX_CHARS = 10_000;

/** What the thread shows in place of a deleted comment that still has replies. */
export const DELETED_COMMENT_MESSAGE = 'This comment was deleted';
/** What the author of a held comment is told, at posting and in the thread. */
export const AWAITING_MODERATION_MESSAGE = 'Your comment is awaiting moderation';

/** Longer bodies than the rule allows pass here and are refused by the comment's rules (422). */
const bodyInputSchema = safeText(z.string().max(COMMENT_BODY_MAX_CHARS * 4));

const guestUrlSchema = z
  .string()
  .trim()
  .max(500)
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) address' }));

/** A guest's name, email (never shown) and optional website. */
export const guestAuthorInputSchema = z
  .object({
    name: displayNameInputSchema,
    email: emailInputSchema,
    url: z
      // null too: the gateway validates first and forwards what this schema made of the input.
      .union([z.literal(''), z.null(), guestUrlSchema])
      .optional()
      .transform((url) => (url ? url : null)),
  })
  .strict();
export type GuestAuthorInput = z.output<typeof guestAuthorInputSchema>;

export const postCommentRequestSchema = z
  .object({
    /** Markdown subset: emphasis, links, code, quotes, lists. */
    body: bodyInputSchema,
    /** The comment this one answers; left out for a new top-level comment. */
    parentId: idSchema.nullable().optional(),
    /** Required from guests (no account), refused from accounts. */
    author: guestAuthorInputSchema.optional(),
    notify: notifyChoiceSchema.default('none'),
  })
  .strict();
export type PostCommentRequest = z.output<typeof postCommentRequestSchema>;

export const editCommentRequestSchema = z.object({ body: bodyInputSchema }).strict();
export type EditCommentRequest = z.output<typeof editCommentRequestSchema>;

export const moderateCommentRequestSchema = z.object({ status: commentStatusSchema }).strict();
export type ModerateCommentRequest = z.output<typeof moderateCommentRequestSchema>;

export const commentIdParamSchema = idSchema;
export const commentPostIdParamSchema = idSchema;

const pageSchema = z.coerce.number().int().min(1).max(100_000).default(1);

const VIEWER_TOKEN = '[^,\\s][^,]{14,198}[^,\\s]';
/** One or more viewer tokens (comma-separated) returned to a guest at posting. */
const viewerTokensSchema = z
  .string()
  .max(2000)
  .regex(
    new RegExp(`^${VIEWER_TOKEN}(,${VIEWER_TOKEN}){0,19}$`),
    'comma-separated tokens of 16 to 200 characters, at most 20',
  )
  .transform((value) =>
    value
      .split(',')
      .map((token) => token.trim())
      .filter((token) => token.length > 0),
  )
  .pipe(z.array(z.string().min(16).max(200)).max(20));

export const threadQuerySchema = z
  .object({
    page: pageSchema,
    /** The blog's default order when left out. */
    order: z.enum(['oldest', 'newest']).optional(),
    /** `moderation` (moderators and the post's author) includes held and spam comments. */
    view: z.enum(['public', 'moderation']).default('public'),
    viewerToken: viewerTokensSchema.optional(),
  })
  .strict();
export type ThreadQuery = z.output<typeof threadQuerySchema>;

export const commentQuerySchema = z.object({ viewerToken: viewerTokensSchema.optional() }).strict();
export type CommentQuery = z.output<typeof commentQuerySchema>;

export const moderationQueueQuerySchema = z
  .object({
    /** `held` lists pending and spam together; `trash` what was trashed, to restore or delete. */
    status: z.enum(['pending', 'spam', 'held', 'trash']).default('pending'),
    postId: idSchema.optional(),
    page: pageSchema,
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type ModerationQueueQuery = z.output<typeof moderationQueueQuerySchema>;

/** WordPress's "hold a comment in the queue if it contains N or more links"; 0 turns it off. */
const MAX_LINKS_DESCRIPTION =
  'Hold a comment in the queue if it contains this many links or more (0: no limit)';

const wordListSchema = z.array(safeText(z.string().trim().min(1).max(100))).max(500);

/** The blog's comment settings; PUT takes any of them and keeps the others. */
export const blogCommentSettingsInputSchema = z
  .object({
    threadDepth: z.number().int().min(1).max(10),
    editWindowMinutes: z.number().int().min(0).max(10080),
    requireApproval: z.boolean(),
    requirePreviouslyApproved: z
      .object({ guests: z.boolean(), accounts: z.boolean() })
      .strict()
      .partial(),
    maxLinks: z.number().int().min(0).max(100).describe(MAX_LINKS_DESCRIPTION),
    holdWords: wordListSchema,
    spamWords: wordListSchema,
    floodSeconds: z.number().int().min(0).max(3600),
    commentsPerPage: z.number().int().min(1).max(500),
    defaultOrder: z.enum(['oldest', 'newest']),
  })
  .strict()
  .partial()
  .refine((changes) => Object.values(changes).some((v) => v !== undefined), {
    message: 'give at least one setting to change',
  })
  .meta({ minProperties: 1 });
export type BlogCommentSettingsInput = z.output<typeof blogCommentSettingsInputSchema>;

export const commentSettingsViewSchema = z.object({
  threadDepth: z.number().int(),
  editWindowMinutes: z.number().int(),
  requireApproval: z.boolean(),
  requirePreviouslyApproved: z.object({ guests: z.boolean(), accounts: z.boolean() }),
  maxLinks: z.number().int().describe(MAX_LINKS_DESCRIPTION),
  holdWords: z.array(z.string()),
  spamWords: z.array(z.string()),
  floodSeconds: z.number().int(),
  commentsPerPage: z.number().int(),
  defaultOrder: z.enum(['oldest', 'newest']),
  /** When they last changed; null while the defaults apply. */
  changedAt: z.string().nullable(),
});
export type CommentSettingsView = z.infer<typeof commentSettingsViewSchema>;

/** Who wrote a comment, as anyone may see it: never the guest's email. */
export const publicCommentAuthorSchema = z.object({
  kind: z.enum(['account', 'guest']),
  accountId: z.string().nullable(),
  name: z.string(),
  url: z.string().nullable(),
  /** A stable seed for an avatar picture (it reveals nothing about the author). */
  avatarSeed: z.string(),
});
export type PublicCommentAuthor = z.infer<typeof publicCommentAuthorSchema>;

/** Where an imported comment came from: the blog and its id there (`#comment-123`). */
export const importedCommentSchema = z.object({
  system: z.literal('wordpress'),
  site: z.string(),
  id: z.string(),
});

/** A comment as the write endpoints answer it. */
export const commentViewSchema = z.object({
  id: z.string(),
  postId: z.string(),
  parentId: z.string().nullable(),
  /** Display depth from 1 (a top-level comment). */
  depth: z.number().int().positive(),
  /** null for a deleted comment shown as a tombstone. */
  author: publicCommentAuthorSchema.nullable(),
  /** Markdown as written; empty when deleted. */
  body: z.string(),
  /** Sanitized HTML to show; empty when deleted. */
  html: z.string(),
  status: commentStatusSchema,
  /** A comment, or a pingback or trackback kept from an imported blog. */
  kind: commentKindSchema,
  /** Set when the comment was imported. */
  imported: importedCommentSchema.optional(),
  postedAt: z.string(),
  edited: z.boolean(),
  editedAt: z.string().nullable(),
  deleted: z.boolean(),
});
export type CommentView = z.infer<typeof commentViewSchema>;

/** A comment in its thread, in display order. */
export const threadItemSchema = commentViewSchema.extend({
  /** 1, 2, 3 … for top-level comments in display order; null for replies. */
  number: z.number().int().positive().nullable(),
  /** Replies shown right below it (tombstones not counted). */
  replyCount: z.number().int().min(0),
  likeCount: z.number().int().min(0),
  likedByViewer: z.boolean(),
  /** "This comment was deleted" or "Your comment is awaiting moderation", else null. */
  message: z.string().nullable(),
  /** Why a comment was held or marked spam: moderation view only, else null. */
  moderationReason: z.string().nullable(),
});
export type ThreadItem = z.infer<typeof threadItemSchema>;

export const threadPageSchema = z.object({
  postId: z.string(),
  order: z.enum(['oldest', 'newest']),
  view: z.enum(['public', 'moderation']),
  page: z.number().int().positive(),
  /** Top-level threads per page; all replies of a thread are on its page. */
  perPage: z.number().int().positive(),
  threadDepth: z.number().int().positive(),
  /** How long after posting its author may edit a comment (0: not at all). */
  editWindowMinutes: z.number().int().min(0),
  /** Whether the post takes comments right now. */
  commentsOpen: z.boolean(),
  totals: z.object({
    /** Approved comments of the post ("12 Comments"). */
    comments: z.number().int().min(0),
    /** Top-level threads shown in this view. */
    threads: z.number().int().min(0),
    pages: z.number().int().positive(),
  }),
  items: z.array(threadItemSchema),
});
export type ThreadPage = z.infer<typeof threadPageSchema>;

export const postCommentResponseSchema = z.object({
  id: z.string(),
  status: z.enum(['approved', 'pending', 'spam']),
  /** "Your comment is awaiting moderation" when it is not shown yet. */
  message: z.string().optional(),
  /** Guests only: present it as `viewerToken` to see the held comment in the thread. */
  viewerToken: z.string().optional(),
  comment: commentViewSchema,
});
export type PostCommentResponse = z.infer<typeof postCommentResponseSchema>;

/**
 * What a post's thread shows only to the one asking: the comments they like, and how many of
 * their own comments are held (shown to them alone, in place).
 */
export const threadViewerStateSchema = z.object({
  postId: z.string(),
  /** Ids of the post's comments the asking account likes (none for a guest). */
  liked: z.array(z.string()),
  /** Their own comments on the post awaiting moderation, by account or by the viewer tokens given. */
  held: z.number().int().min(0),
});
export type ThreadViewerState = z.infer<typeof threadViewerStateSchema>;

export const commentLikeStateSchema = z.object({ commentId: z.string(), liked: z.boolean() });
export type CommentLikeState = z.infer<typeof commentLikeStateSchema>;

/** Comments that came from one client, by status; the client is known by a keyed hash of its address. */
export const clientHistorySchema = z.object({
  approved: z.number().int().min(0),
  pending: z.number().int().min(0),
  spam: z.number().int().min(0),
  trash: z.number().int().min(0),
});
export type ClientHistory = z.infer<typeof clientHistorySchema>;

/** What a moderator needs to judge a guest's comment; never shown to authors or readers. */
export const guestContactSchema = z.object({
  email: z.string(),
  url: z.string().nullable(),
  /** This and the other comments from the same client, or null when the client is unknown. */
  sameClient: clientHistorySchema.nullable(),
});
export type GuestContact = z.infer<typeof guestContactSchema>;

/**
 * Where a comment was written from, kept for moderators for the retention period
 * (PERSONAL_DATA_RETENTION_DAYS): each is null once erased, or when it was never known.
 */
export const commentOriginSchema = z.object({
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type CommentOrigin = z.infer<typeof commentOriginSchema>;

export const moderationQueueItemSchema = commentViewSchema.extend({
  moderationReason: z.string().nullable(),
  post: z.object({ id: z.string(), title: z.string(), slug: z.string() }),
  /** A guest's email, website and client history, for moderators and admins; null otherwise. */
  guest: guestContactSchema.nullable(),
  /** The writer's IP address and user agent, for moderators and admins; null otherwise. */
  origin: commentOriginSchema.nullable(),
});
export type ModerationQueueItem = z.infer<typeof moderationQueueItemSchema>;

export const moderationQueuePageSchema = z.object({
  items: z.array(moderationQueueItemSchema),
  total: z.number().int().min(0),
  page: z.number().int().positive(),
  pages: z.number().int().positive(),
});
export type ModerationQueuePage = z.infer<typeof moderationQueuePageSchema>;

export const emptyTrashResultSchema = z.object({
  /** Trashed comments deleted for good (kept as tombstones where replies hang on them). */
  deleted: z.number().int().min(0),
});
export type EmptyTrashResult = z.infer<typeof emptyTrashResultSchema>;
