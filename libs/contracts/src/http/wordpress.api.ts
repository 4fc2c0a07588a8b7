import { z } from 'zod';
import { idSchema } from '../common.schemas';
import { commentViewSchema } from './comments.api';
import { postViewSchema } from './posts.api';

// The services' internal reads behind the gateway's WordPress REST dialect (/wp-json/wp/v2).

/** The integer id WordPress clients know a post, comment, category or tag by. */
export const wordpressIdSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** Comma-separated integer ids, as WordPress takes a list in a query (`parent=0,12`). */
const wordpressIdListSchema = z
  .string()
  .max(2000)
  .regex(/^\d{1,16}(,\d{1,16}){0,99}$/, 'comma-separated integer ids, at most 100')
  .transform((value) => value.split(',').map(Number));

const perPageSchema = z.coerce.number().int().min(1).max(100).default(10);
const pageSchema = z.coerce.number().int().min(1).max(100_000).default(1);

export const wordpressCommentsQuerySchema = z
  .object({
    /** One post's comments; every post's when left out. */
    postId: idSchema.optional(),
    /** Parents by integer id; 0 names the post itself (top-level comments). */
    parent: wordpressIdListSchema.optional(),
    page: pageSchema,
    perPage: perPageSchema,
    order: z.enum(['asc', 'desc']).default('desc'),
  })
  .strict();
export type WordpressCommentsQuery = z.output<typeof wordpressCommentsQuerySchema>;

/** A comment with the integer ids of it and its parent (0 for a top-level comment). */
export const wordpressCommentSchema = commentViewSchema.extend({
  wordpressId: z.number().int().positive(),
  parentWordpressId: z.number().int().min(0),
});
export type WordpressComment = z.infer<typeof wordpressCommentSchema>;

export const wordpressCommentPageSchema = z.object({
  items: z.array(wordpressCommentSchema),
  total: z.number().int().min(0),
});
export type WordpressCommentPage = z.infer<typeof wordpressCommentPageSchema>;

export const wordpressPostsQuerySchema = z
  .object({
    page: pageSchema,
    perPage: perPageSchema,
    slug: z.string().trim().min(1).max(200).optional(),
    /** Categories and tags by integer id (any of them). */
    categories: wordpressIdListSchema.optional(),
    tags: wordpressIdListSchema.optional(),
    /** Words in the title or the body. */
    search: z.string().trim().min(1).max(200).optional(),
    /** Posts by their Parley ids (comma-separated). */
    parleyIds: z
      .string()
      .max(4000)
      .transform((value) => value.split(',').filter((id) => id.length > 0))
      .pipe(z.array(idSchema).min(1).max(100))
      .optional(),
    order: z.enum(['asc', 'desc']).default('desc'),
  })
  .strict();
export type WordpressPostsQuery = z.output<typeof wordpressPostsQuerySchema>;

/** A published post with the integer ids of it, its categories and its tags. */
export const wordpressPostSchema = postViewSchema.extend({
  wordpressId: z.number().int().positive(),
  categoryIds: z.array(z.number().int().positive()),
  tagIds: z.array(z.number().int().positive()),
});
export type WordpressPost = z.infer<typeof wordpressPostSchema>;

export const wordpressPostPageSchema = z.object({
  items: z.array(wordpressPostSchema),
  total: z.number().int().min(0),
});
export type WordpressPostPage = z.infer<typeof wordpressPostPageSchema>;

export const wordpressTermsQuerySchema = z
  .object({
    kind: z.enum(['category', 'tag']),
    page: pageSchema,
    perPage: perPageSchema,
    slug: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type WordpressTermsQuery = z.output<typeof wordpressTermsQuerySchema>;

export const wordpressTermKindQuerySchema = z
  .object({ kind: z.enum(['category', 'tag']) })
  .strict();
export type WordpressTermKindQuery = z.output<typeof wordpressTermKindQuerySchema>;

/** A category or tag with its integer id and how many published posts carry it. */
export const wordpressTermSchema = z.object({
  wordpressId: z.number().int().positive(),
  name: z.string(),
  key: z.string(),
  slug: z.string(),
  count: z.number().int().min(0),
});
export type WordpressTerm = z.infer<typeof wordpressTermSchema>;

export const wordpressTermPageSchema = z.object({
  items: z.array(wordpressTermSchema),
  total: z.number().int().min(0),
});
export type WordpressTermPage = z.infer<typeof wordpressTermPageSchema>;
