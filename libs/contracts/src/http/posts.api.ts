import { z } from 'zod';
import {
  cursorSchema,
  displayNameSchema,
  idSchema,
  isoTimeSchema,
  safeText,
} from '../common.schemas';
import { commentSettingsSchema } from '../posts.events';

// Request and response schemas of the posts service's internal HTTP API, shared with the gateway.
export const POSTS_API_VERSION = 'v1';

/** The largest Markdown body a post may have, in UTF-8 bytes (a longer one is a 422). */
export const POST_BODY_MAX_BYTES = 200 * 1024;

/** How many likers' names a post carries for "Boots, Amy and 10 others like this". */
export const POST_LIKERS_SHOWN = 3;

const taxonomyTerm = safeText(z.string().trim().min(1).max(60));
const categoriesSchema = z.array(taxonomyTerm).max(20);
const tagsSchema = z.array(taxonomyTerm).max(50);
const seriesSchema = safeText(z.string().trim().min(1).max(120)).nullable();
/** Blank titles pass here and are refused by the post's rules (422), with the reason. */
const titleSchema = safeText(z.string().max(300));
/** Markdown. */
const bodySchema = safeText(z.string());
/** null (or leaving it out when drafting) cuts the excerpt from the body. */
const excerptSchema = safeText(z.string().trim().max(1000)).nullable();

/** `open`, `closed`, or `auto-close` with the number of days after the first publication. */
export const commentSettingsInputSchema = z
  .object({
    mode: z.enum(['open', 'closed', 'auto-close']),
    autoCloseDays: z.number().int().positive().max(3650).nullable().optional(),
  })
  .strict()
  .superRefine((settings, context) => {
    if (settings.mode === 'auto-close' && settings.autoCloseDays == null) {
      context.addIssue({
        code: 'custom',
        path: ['autoCloseDays'],
        message: 'auto-close needs the number of days',
      });
    }
    if (settings.mode !== 'auto-close' && settings.autoCloseDays != null) {
      context.addIssue({
        code: 'custom',
        path: ['autoCloseDays'],
        message: `${settings.mode} takes no number of days`,
      });
    }
  })
  .transform((settings) => ({
    mode: settings.mode,
    autoCloseDays: settings.mode === 'auto-close' ? (settings.autoCloseDays ?? null) : null,
  }))
  .meta({
    anyOf: [
      {
        properties: { mode: { enum: ['auto-close'] }, autoCloseDays: { type: 'integer' } },
        required: ['autoCloseDays'],
      },
      {
        properties: { mode: { enum: ['open', 'closed'] } },
        not: { required: ['autoCloseDays'] },
      },
      {
        properties: { mode: { enum: ['open', 'closed'] }, autoCloseDays: { enum: [null] } },
      },
    ],
  });
export type CommentSettingsInput = z.output<typeof commentSettingsInputSchema>;

/** The blog's settings kept by the posts service; PUT takes any of them and keeps the others. */
export const blogSettingsInputSchema = z
  .object({
    title: safeText(z.string().trim().min(1).max(120)),
    description: safeText(z.string().trim().max(300)),
    /** What posts drafted without their own comment settings start with. */
    defaultCommentSettings: commentSettingsInputSchema,
  })
  .strict()
  .partial()
  .refine((changes) => Object.values(changes).some((v) => v !== undefined), {
    message: 'give at least one setting to change',
  })
  .meta({ minProperties: 1 });
export type BlogSettingsInput = z.output<typeof blogSettingsInputSchema>;

export const blogSettingsViewSchema = z.object({
  title: z.string(),
  description: z.string(),
  defaultCommentSettings: commentSettingsSchema,
  /** When they last changed; null while the operator's configuration applies. */
  changedAt: z.string().nullable(),
});
export type BlogSettingsView = z.infer<typeof blogSettingsViewSchema>;

export const createPostRequestSchema = z
  .object({
    title: titleSchema,
    body: bodySchema,
    excerpt: excerptSchema.optional(),
    categories: categoriesSchema.default([]),
    tags: tagsSchema.default([]),
    /** A series the post belongs to, such as "Movie Quote Monday". */
    series: seriesSchema.default(null),
    /** The blog's default when left out. */
    commentSettings: commentSettingsInputSchema.optional(),
  })
  .strict();
export type CreatePostRequest = z.output<typeof createPostRequestSchema>;

/** What an edit may change; it must change one of them (expectedRevision alone changes nothing). */
const POST_FIELDS = [
  'title',
  'body',
  'excerpt',
  'categories',
  'tags',
  'series',
  'commentSettings',
] as const;

export const updatePostRequestSchema = z
  .object({
    title: titleSchema.optional(),
    body: bodySchema.optional(),
    excerpt: excerptSchema.optional(),
    categories: categoriesSchema.optional(),
    tags: tagsSchema.optional(),
    series: seriesSchema.optional(),
    commentSettings: commentSettingsInputSchema.optional(),
    /** The revision the editor started from; a save over a newer revision is a 409. */
    expectedRevision: z.number().int().positive().optional(),
  })
  .strict()
  .refine(
    (changes) =>
      Object.entries(changes).some(
        ([key, value]) => key !== 'expectedRevision' && value !== undefined,
      ),
    'give at least one field to change',
  )
  .meta({ anyOf: POST_FIELDS.map((field) => ({ required: [field] })) });
export type UpdatePostRequest = z.output<typeof updatePostRequestSchema>;

export const schedulePostRequestSchema = z.object({ publishAt: isoTimeSchema }).strict();
export type SchedulePostRequest = z.output<typeof schedulePostRequestSchema>;

/** Post ids are UUIDs (version 7, so they sort by creation time). */
export const postIdParamSchema = z.uuid();
/** A post's id, its current slug, or any slug it had before. */
export const postIdOrSlugParamSchema = z.string().min(1).max(200);

const listCursorSchema = cursorSchema(500);

export const POST_LIST_STATUSES = ['published', 'draft', 'scheduled'] as const;

export const listPostsQuerySchema = z
  .object({
    cursor: listCursorSchema.optional(),
    limit: z.coerce.number().int().min(1).max(50).default(10),
    category: taxonomyTerm.optional(),
    tag: taxonomyTerm.optional(),
    series: z.string().trim().min(1).max(120).optional(),
    /** An author's account id. */
    author: idSchema.optional(),
    /** Drafts and scheduled posts are listed for their author (all of them for an admin). */
    status: z.enum(POST_LIST_STATUSES).default('published'),
  })
  .strict();
export type ListPostsQuery = z.output<typeof listPostsQuerySchema>;

export const listLikesQuerySchema = z
  .object({
    cursor: listCursorSchema.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type ListLikesQuery = z.output<typeof listLikesQuerySchema>;

export const postStatusSchema = z.enum(['draft', 'scheduled', 'published']);
export type PostStatusView = z.infer<typeof postStatusSchema>;

export const postSummarySchema = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  excerpt: z.string(),
  categories: z.array(z.string()),
  tags: z.array(z.string()),
  series: z.string().nullable(),
  author: z.object({ id: z.string(), displayName: z.string() }),
  status: postStatusSchema,
  /** Bumped by every edit; send it back as `expectedRevision` to save without losing an edit. */
  revision: z.number().int().positive(),
  /** When a scheduled post goes out; null otherwise. */
  publishAt: z.string().nullable(),
  /** The post's date: its first publication (republishing keeps it); null before it. */
  publishedAt: z.string().nullable(),
  /** The last change of the post's content. */
  updatedAt: z.string(),
  commentSettings: commentSettingsSchema,
  /** Whether the post takes comments right now. */
  commentsOpen: z.boolean(),
  /** When an auto-closing post stops taking comments; null when it does not close by itself. */
  commentsCloseAt: z.string().nullable(),
  /** Approved comments only. */
  commentCount: z.number().int().min(0),
  likeCount: z.number().int().min(0),
  /** Display names of the first few people who liked the post. */
  likers: z.array(z.string()),
});
export type PostSummary = z.infer<typeof postSummarySchema>;

export const postViewSchema = postSummarySchema.extend({
  /** Markdown. */
  body: z.string(),
  draftedAt: z.string(),
});
export type PostView = z.infer<typeof postViewSchema>;

export const postPageSchema = z.object({
  items: z.array(postSummarySchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type PostPage = z.infer<typeof postPageSchema>;

export const likeStateSchema = z.object({ postId: z.string(), liked: z.boolean() });
export type LikeState = z.infer<typeof likeStateSchema>;

export const likersPageSchema = z.object({
  items: z.array(z.object({ displayName: displayNameSchema, likedAt: z.string() })),
  total: z.number().int().min(0),
  nextCursor: z.string().nullable(),
});
export type LikersPage = z.infer<typeof likersPageSchema>;

export const schedulerPassSchema = z.object({
  /** Ids of the posts this pass published. */
  published: z.array(z.string()),
});
export type SchedulerPass = z.infer<typeof schedulerPassSchema>;

/**
 * An old address of an imported blog: the path of a post's permalink there
 * (`/2014/01/27/movie-quote-monday-her/`), or the id WordPress's `/?p=123` names.
 */
export const legacyLinkQuerySchema = z
  .object({
    path: z.string().startsWith('/').max(2000).optional(),
    p: z
      .string()
      .regex(/^\d{1,20}$/, 'must be a WordPress post id')
      .optional(),
  })
  .superRefine((query, context) => {
    if ((query.path === undefined) === (query.p === undefined))
      context.addIssue({ code: 'custom', path: ['path'], message: 'give either path or p' });
  })
  .transform((query) => (query.p !== undefined ? { p: query.p } : { path: query.path ?? '/' }));
export type LegacyLinkQuery = z.output<typeof legacyLinkQuerySchema>;

/** The published post an old address leads to. */
export const legacyLinkTargetSchema = z.object({ id: z.string(), slug: z.string() });
export type LegacyLinkTarget = z.infer<typeof legacyLinkTargetSchema>;
