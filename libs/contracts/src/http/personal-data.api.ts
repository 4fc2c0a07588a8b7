import { z } from 'zod';
import {
  channelSchema,
  emailInputSchema,
  emailSchema,
  frequencySchema,
  idSchema,
} from '../common.schemas';
import { commentKindSchema, commentStatusSchema } from '../comments.events';
import { notificationReasonSchema, subscriptionKindSchema } from '../notifications.events';
import { accountViewSchema } from './identity.api';
import { channelLedgerSchema } from './notifications.api';

// A person's data as JSON (GDPR articles 15 and 20): what each service holds of one person, and
// the document the gateway assembles from those parts. Version 1 of the document.

export const PERSONAL_DATA_FORMAT = 'parley.personal-data';
export const PERSONAL_DATA_VERSION = 1;

/** Whose data a service is asked for: an account, or a guest by their email address. */
export const personalDataQuerySchema = z
  .object({ accountId: idSchema.optional(), email: emailInputSchema.optional() })
  .strict()
  .refine((q) => (q.accountId === undefined) !== (q.email === undefined), {
    message: 'give accountId or email, not both',
  })
  .meta({ oneOf: [{ required: ['accountId'] }, { required: ['email'] }] });
export type PersonalDataQuery = z.output<typeof personalDataQuerySchema>;

/** A comment the person wrote, with the post it is on. */
export const personalCommentSchema = z.object({
  id: idSchema,
  postId: idSchema,
  postTitle: z.string(),
  postSlug: z.string(),
  parentId: idSchema.nullable(),
  author: z.object({
    kind: z.enum(['account', 'guest']),
    name: z.string(),
    url: z.string().nullable(),
    /** The address a guest gave with the comment; null for an account's comment. */
    email: z.string().nullable(),
  }),
  /** Markdown as written. */
  body: z.string(),
  status: commentStatusSchema,
  kind: commentKindSchema,
  postedAt: z.string(),
  editedAt: z.string().nullable(),
});
export type PersonalComment = z.infer<typeof personalCommentSchema>;

/** A comment the person likes (accounts only). */
export const personalLikeSchema = z.object({
  commentId: idSchema,
  postId: idSchema,
  postTitle: z.string().nullable(),
  postSlug: z.string().nullable(),
});
export type PersonalLike = z.infer<typeof personalLikeSchema>;

/** The comments service's part: the person's comments and likes, deleted comments left out. */
export const commentsPersonalDataSchema = z.object({
  comments: z.array(personalCommentSchema),
  likes: z.array(personalLikeSchema),
});
export type CommentsPersonalData = z.infer<typeof commentsPersonalDataSchema>;

/** A post the person likes (accounts only). */
export const personalPostLikeSchema = z.object({
  postId: idSchema,
  postTitle: z.string().nullable(),
  postSlug: z.string().nullable(),
  likedAt: z.string(),
});

/** The posts service's part: the posts the person likes. */
export const postsPersonalDataSchema = z.object({ postLikes: z.array(personalPostLikeSchema) });
export type PostsPersonalData = z.infer<typeof postsPersonalDataSchema>;

export const personalSubscriberSchema = z.object({
  id: idSchema,
  kind: z.enum(['account', 'guest']),
  /** A guest's address (accounts' addresses are in `account`). */
  email: z.string().nullable(),
  confirmed: z.boolean(),
  pausedUntil: z.string().nullable(),
  webhook: z.object({ url: z.string(), registeredAt: z.string() }).nullable(),
});

export const personalSubscriptionSchema = z.object({
  id: idSchema,
  kind: subscriptionKindSchema,
  targetId: idSchema.nullable(),
  channels: z.array(channelSchema),
  frequency: frequencySchema,
  active: z.boolean(),
  subscribedAt: z.string(),
});

/**
 * A notification the person received, with why and what happened on each channel. What it is
 * about is named by ids and the post's title: another reader's name or words are not theirs.
 */
export const personalNotificationSchema = z.object({
  id: idSchema,
  reason: notificationReasonSchema,
  explanation: z.string(),
  subscriptionId: idSchema.nullable(),
  subject: z.object({
    kind: z.enum(['comment', 'post']),
    postId: idSchema,
    postTitle: z.string(),
    postSlug: z.string(),
    commentId: idSchema.nullable(),
  }),
  createdAt: z.string(),
  readAt: z.string().nullable(),
  /** The ledger of deliveries: each channel's state, attempts and message id. */
  deliveries: z.array(channelLedgerSchema),
});

/** The notifications service's part. */
export const notificationsPersonalDataSchema = z.object({
  subscriber: personalSubscriberSchema.nullable(),
  subscriptions: z.array(personalSubscriptionSchema),
  notifications: z.array(personalNotificationSchema),
});
export type NotificationsPersonalData = z.infer<typeof notificationsPersonalDataSchema>;

/** The whole document a person downloads (and `npm run privacy -- export` prints). */
export const personalDataExportSchema = z.object({
  format: z.literal(PERSONAL_DATA_FORMAT),
  version: z.literal(PERSONAL_DATA_VERSION),
  exportedAt: z.string(),
  person: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('account'), accountId: idSchema }),
    z.object({ kind: z.literal('guest'), email: emailSchema }),
  ]),
  /** The account's details; null for a guest. */
  account: accountViewSchema.nullable(),
  comments: z.array(personalCommentSchema.extend({ link: z.string() })),
  likes: z.array(personalLikeSchema.extend({ link: z.string().nullable() })),
  postLikes: z.array(personalPostLikeSchema.extend({ link: z.string().nullable() })),
  subscriber: personalSubscriberSchema.nullable(),
  subscriptions: z.array(personalSubscriptionSchema),
  notifications: z.array(personalNotificationSchema),
});
export type PersonalDataExport = z.infer<typeof personalDataExportSchema>;

/** A guest asks for their data: a link is mailed to the address, if anything is known of it. */
export const personalDataRequestSchema = z.object({ email: emailInputSchema }).strict();
export type PersonalDataRequest = z.infer<typeof personalDataRequestSchema>;
