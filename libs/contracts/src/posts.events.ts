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
  'parley.post.drafted.v1': z.object({
    postId: idSchema,
    authorId: idSchema,
    authorName: displayNameSchema,
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
  'parley.post.published.v1': z.object({
    postId: idSchema,
    slug: z.string().min(1),
    title: z.string().min(1),
    excerpt: z.string(),
    authorId: idSchema,
    authorName: displayNameSchema,
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
  'parley.post.liked.v1': z.object({
    postId: idSchema,
    accountId: idSchema,
    displayName: displayNameSchema,
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
