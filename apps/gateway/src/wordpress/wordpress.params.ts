import { z } from 'zod';
import { invalidParams, type WpError } from './wordpress.mapping';

/** An integer id as WordPress takes it in a path, a query or a body. */
const wpIdSchema = z.coerce
  .number({ error: 'must be an integer' })
  .int('must be an integer')
  .min(1, 'must be a positive integer')
  .max(Number.MAX_SAFE_INTEGER, 'is not an id');

/** A list as WordPress takes it: `a,b`, or the same parameter repeated (`a[]=1&a[]=2`). */
function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value: unknown): unknown[] => {
      const parts: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value];
      return parts.flatMap((part): unknown[] =>
        typeof part === 'string' ? part.split(',').filter((p) => p.trim() !== '') : [part],
      );
    },
    z.array(item).max(100, 'takes at most 100 ids'),
  );
}

const page = z.coerce
  .number({ error: 'must be an integer' })
  .int('must be an integer')
  .min(1, 'must be 1 or more')
  .max(100_000)
  .default(1);
const perPage = z.coerce
  .number({ error: 'must be an integer' })
  .int('must be an integer')
  .min(1, 'must be between 1 (inclusive) and 100 (inclusive)')
  .max(100, 'must be between 1 (inclusive) and 100 (inclusive)')
  .default(10);
const order = z.enum(['asc', 'desc'], { error: 'is not one of asc, desc' }).default('desc');
/** What every list takes and Parley answers alike: the view context, embeds and field filters. */
const ignored = {
  context: z.enum(['view', 'embed'], { error: 'is not one of view, embed' }).optional(),
  _embed: z.unknown().optional(),
  _fields: z.unknown().optional(),
  _envelope: z.unknown().optional(),
  _jsonp: z.unknown().optional(),
};

export const wpPostsQuerySchema = z.object({
  ...ignored,
  page,
  per_page: perPage,
  order,
  orderby: z.enum(['date'], { error: 'is not one of date' }).default('date'),
  slug: z.string().trim().min(1).max(200).optional(),
  search: z.string().trim().max(200).optional(),
  categories: listOf(wpIdSchema).optional(),
  tags: listOf(wpIdSchema).optional(),
});
export type WpPostsQuery = z.output<typeof wpPostsQuerySchema>;

export const wpCommentsQuerySchema = z.object({
  ...ignored,
  page,
  per_page: perPage,
  order,
  orderby: z
    .enum(['date', 'date_gmt'], { error: 'is not one of date, date_gmt' })
    .default('date_gmt'),
  post: listOf(wpIdSchema).pipe(z.array(z.number()).max(1, 'takes one post')).optional(),
  parent: listOf(z.coerce.number({ error: 'must be an integer' }).int().min(0)).optional(),
});
export type WpCommentsQuery = z.output<typeof wpCommentsQuerySchema>;

export const wpTermsQuerySchema = z.object({
  ...ignored,
  page,
  per_page: perPage,
  slug: z.string().trim().min(1).max(200).optional(),
});
export type WpTermsQuery = z.output<typeof wpTermsQuerySchema>;

export const wpIdParamSchema = wpIdSchema;

const contentSchema = z.union([
  z.string(),
  z.object({ raw: z.string() }).transform((content) => content.raw),
]);

/** A new comment as WordPress clients send it; the author fields are a guest's. */
export const wpCreateCommentSchema = z.object({
  post: wpIdSchema,
  parent: z.coerce.number({ error: 'must be an integer' }).int().min(0).default(0),
  content: contentSchema,
  author_name: z.string().optional(),
  author_email: z.string().optional(),
  author_url: z.string().optional(),
});
export type WpCreateComment = z.output<typeof wpCreateCommentSchema>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: WpError };

/** Parses what a WordPress client sent, or answers WordPress's rest_invalid_param naming each field. */
export function parseWp<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, value: result.data };
  const params: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'body');
    params[field] ??= `${field} ${issue.message}`;
  }
  return { ok: false, error: invalidParams(params) };
}
