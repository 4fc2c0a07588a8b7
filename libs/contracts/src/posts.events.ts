import { z } from 'zod';
import { displayNameSchema, idSchema, importedFromSchema, isoTimeSchema } from './common.schemas';

export const commentModeSchema = z.enum(['open', 'closed', 'auto-close']);

export const commentSettingsSchema = z.object({
  mode: commentModeSchema,
  /** With `auto-close`: comments close this many days after first publication. */
  autoCloseDays: z.number().int().positive().max(3650).nullable(),
});
export type PostCommentSettings = z.infer<typeof commentSettingsSchema>;

const postContent = {
  title: z.string().min(1).max(300),
  body: z.string(),
  excerpt: z.string(),
  /** True when the excerpt was cut from the body (it then follows the body on later edits). */
  autoExcerpt: z.boolean().optional(),
  categories: z.array(z.string().min(1).max(60)),
  tags: z.array(z.string().min(1).max(60)),
  series: z.string().min(1).max(120).nullable(),
};

export const postEvents = {
  /**
   * v2: the author is named by id only (v1 copied the account's name): an account's name is the
   * account's, which readers take from the account events.
   */
  'parley.post.drafted.v2': z.object({
    postId: idSchema,
    authorId: idSchema,
    /**
     * Only the byline of a post imported from a writer without an account here (an imported
     * writer's id, see isImportedWriterId), as their old blog gave it; events written before v2,
     * and imports that named an account's post by its name, copied the account's here, which a
     * migrated log drops. An account's current name wins wherever it is known.
     */
    authorName: displayNameSchema.optional(),
    slug: z.string().min(1),
    ...postContent,
    commentSettings: commentSettingsSchema,
    draftedAt: isoTimeSchema,
    /** Set when the post was imported (its dates are then the original ones). */
    imported: importedFromSchema.optional(),
  }),
  'parley.post.edited.v1': z.object({
    postId: idSchema,
    revision: z.number().int().positive(),
    /** The slug after the edit: it follows the title until the post is first published. */
    slug: z.string().min(1),
    ...postContent,
    editedBy: idSchema,
    editedAt: isoTimeSchema,
  }),
  /** v2: the author is named by id only (v1 copied the account's name). */
  'parley.post.published.v2': z.object({
    postId: idSchema,
    slug: z.string().min(1),
    title: z.string().min(1),
    excerpt: z.string(),
    authorId: idSchema,
    /** True the first time the post is published (new-post notifications go out only then). */
    firstPublication: z.boolean(),
    publishedAt: isoTimeSchema,
    /** Who published it; null when the scheduler did. */
    publishedBy: idSchema.nullable(),
    /** Set when the post was imported already published: nobody is told of it as a new post. */
    imported: importedFromSchema.optional(),
  }),
  'parley.post.scheduled.v1': z.object({
    postId: idSchema,
    publishAt: isoTimeSchema,
    scheduledBy: idSchema,
  }),
  'parley.post.unpublished.v1': z.object({
    postId: idSchema,
    unpublishedBy: idSchema,
    unpublishedAt: isoTimeSchema,
  }),
  'parley.post.deleted.v1': z.object({
    postId: idSchema,
    deletedBy: idSchema,
    deletedAt: isoTimeSchema,
  }),
  'parley.post.comment-settings-changed.v1': z.object({
    postId: idSchema,
    commentSettings: commentSettingsSchema,
    changedBy: idSchema,
    changedAt: isoTimeSchema,
  }),
  /** v2: the reader is named by id only (v1 copied the account's name). */
  'parley.post.liked.v2': z.object({
    postId: idSchema,
    accountId: idSchema,
    likedAt: isoTimeSchema,
  }),
  'parley.post.unliked.v1': z.object({
    postId: idSchema,
    accountId: idSchema,
    unlikedAt: isoTimeSchema,
  }),
};

/** Kept inside the posts store: a slug belongs to one post for ever. */
export const postPrivateEvents = {
  /** The blog's name, its tagline and the comment settings new posts start with. */
  'parley.blog.settings-changed.v1': z.object({
    title: z.string().min(1).max(120),
    description: z.string().max(300),
    defaultCommentSettings: commentSettingsSchema,
    changedBy: idSchema,
    changedAt: isoTimeSchema,
  }),
  'parley.slug.reserved.v1': z.object({
    slug: z.string().min(1),
    postId: idSchema,
    reservedAt: isoTimeSchema,
  }),
};

/**
 * v1 events copied an account's name: a drafted post reads as v2 with the name it had (shown
 * until the account's own name is known); a publication or a like reads as v2 without it.
 */
export const postUpcasters = [
  {
    from: 'parley.post.drafted.v1',
    to: 'parley.post.drafted.v2',
    upcast: (data: unknown) => data,
  },
  {
    from: 'parley.post.published.v1',
    to: 'parley.post.published.v2',
    upcast: (data: unknown) => withoutField(data, 'authorName'),
  },
  {
    from: 'parley.post.liked.v1',
    to: 'parley.post.liked.v2',
    upcast: (data: unknown) => withoutField(data, 'displayName'),
  },
];

function withoutField(data: unknown, field: string): unknown {
  if (typeof data !== 'object' || data === null) return data;
  const { [field]: _dropped, ...rest } = data as Record<string, unknown>;
  return rest;
}
