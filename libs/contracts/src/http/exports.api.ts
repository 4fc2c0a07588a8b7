import { z } from 'zod';
import { cursorSchema, idSchema } from '../common.schemas';
import { commentKindSchema, commentStatusSchema } from '../comments.events';
import { commentSettingsSchema } from '../posts.events';
import { importedCommentSchema } from './comments.api';
import { postStatusSchema } from './posts.api';

// What the services hand to an export of the whole blog (admins only), a page at a time.

export const exportPostsQuerySchema = z
  .object({
    status: postStatusSchema,
    cursor: cursorSchema(500).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
export type ExportPostsQuery = z.output<typeof exportPostsQuerySchema>;

export const exportedPostSchema = z.object({
  id: z.string(),
  /** The id the post had on the WordPress blog it was imported from; null for one written here. */
  wordpressId: z.string().nullable(),
  slug: z.string(),
  title: z.string(),
  /** Markdown (an imported post's HTML is Markdown too). */
  body: z.string(),
  excerpt: z.string(),
  /** Whether the excerpt was written for the post rather than cut from its body. */
  ownExcerpt: z.boolean(),
  categories: z.array(z.string()),
  tags: z.array(z.string()),
  author: z.object({ id: z.string(), displayName: z.string() }),
  status: postStatusSchema,
  publishAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
  draftedAt: z.string(),
  updatedAt: z.string(),
  commentSettings: commentSettingsSchema,
});
export type ExportedPost = z.infer<typeof exportedPostSchema>;

export const exportPostsPageSchema = z.object({
  items: z.array(exportedPostSchema),
  nextCursor: z.string().nullable(),
});
export type ExportPostsPage = z.infer<typeof exportPostsPageSchema>;

export const exportCommentsQuerySchema = z
  .object({
    postId: idSchema,
    /** The id of the last comment of the previous page. */
    after: idSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(200),
  })
  .strict();
export type ExportCommentsQuery = z.output<typeof exportCommentsQuerySchema>;

export const exportedCommentSchema = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  author: z.object({
    kind: z.enum(['account', 'guest']),
    accountId: z.string().nullable(),
    name: z.string(),
    url: z.string().nullable(),
    /** A guest's address as they gave it; null for accounts and unknown addresses. */
    email: z.string().nullable(),
  }),
  /** Markdown as written. */
  body: z.string(),
  /** The sanitized HTML readers see. */
  html: z.string(),
  status: commentStatusSchema,
  kind: commentKindSchema,
  imported: importedCommentSchema.optional(),
  postedAt: z.string(),
});
export type ExportedComment = z.infer<typeof exportedCommentSchema>;

export const exportCommentsPageSchema = z.object({
  items: z.array(exportedCommentSchema),
  /** Pass as `after` for the next page; null on the last one. */
  nextAfter: z.string().nullable(),
});
export type ExportCommentsPage = z.infer<typeof exportCommentsPageSchema>;
