import { z } from 'zod';
import {
  channelSchema,
  displayNameSchema,
  emailSchema,
  frequencySchema,
  idSchema,
  isoTimeSchema,
  personalDataSchema,
} from './common.schemas';

/**
 * The sealed fields of notification events, by the name each was sealed for: a subscriber's
 * address is sealed with the subscriber's key, which the notifications service keeps.
 */
export const SUBSCRIBER_PERSONAL_FIELDS = { email: 'subscriber.email' } as const;

export const SUBSCRIPTION_KINDS = ['replies', 'branch', 'post', 'blog'] as const;
export const subscriptionKindSchema = z.enum(SUBSCRIPTION_KINDS);
export type SubscriptionKind = z.infer<typeof subscriptionKindSchema>;

/** Why someone was notified, most specific first. */
export const NOTIFICATION_REASONS = [
  'reply',
  'branch',
  'post',
  'post-author',
  'blog',
  'moderation',
] as const;
export const notificationReasonSchema = z.enum(NOTIFICATION_REASONS);
export type NotificationReason = z.infer<typeof notificationReasonSchema>;

export const subscriberRefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('account'), accountId: idSchema }),
  z.object({
    kind: z.literal('email'),
    /** Sealed with the subscriber's key (field `subscriber.email`); legacy plaintext in upcast v1 events. */
    email: personalDataSchema(emailSchema),
  }),
]);

/**
 * What a notification is about, a comment or a post, with its author in the fields given: the
 * notification event and what readers are shown differ in the author alone.
 */
function subjectSchema<CommentAuthor extends z.ZodRawShape, PostAuthor extends z.ZodRawShape>(
  commentAuthor: CommentAuthor,
  postAuthor: PostAuthor,
) {
  return z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('comment'),
      commentId: idSchema,
      postId: idSchema,
      postTitle: z.string(),
      postSlug: z.string(),
      ...commentAuthor,
      excerpt: z.string(),
      parentId: idSchema.nullable(),
    }),
    z.object({
      kind: z.literal('post'),
      postId: idSchema,
      title: z.string(),
      slug: z.string(),
      ...postAuthor,
      excerpt: z.string(),
    }),
  ]);
}

/** What a notification is about, as the inbox, the live feed, mail and webhooks show it. */
export const notificationSubjectSchema = subjectSchema(
  /** The author's name as the reader is shown it: an account's current one, a guest's opened. */
  { authorName: personalDataSchema(displayNameSchema) },
  { authorName: displayNameSchema },
);
export type NotificationSubject = z.infer<typeof notificationSubjectSchema>;

/**
 * Who wrote a notification's comment or post, as the notification event names them: an account
 * by id only (its name is the account's, looked up when the notification is shown), a guest by
 * the name the comment event carries (sealed with the guest's key).
 */
export const notifiedAuthorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('account'), accountId: idSchema }),
  z.object({
    kind: z.literal('guest'),
    /** Sealed with the guest's key, which the comments service keeps (field `comment.author.name`). */
    name: personalDataSchema(displayNameSchema),
  }),
  /** Erased at their request before the notification was made, or since: shown as a deleted reader. */
  z.object({ kind: z.literal('erased') }),
  /** Only in events written before v3: the name as the notification copied it (an account's in plaintext). */
  z.object({ kind: z.literal('named'), name: personalDataSchema(displayNameSchema) }),
]);
export type NotifiedAuthor = z.infer<typeof notifiedAuthorSchema>;

/** What a notification is about, as its event keeps it: the author named as in notifiedAuthorSchema. */
export const notifiedSubjectSchema = subjectSchema(
  { author: notifiedAuthorSchema },
  { author: notifiedAuthorSchema },
);
export type NotifiedSubject = z.infer<typeof notifiedSubjectSchema>;

const subscriber = { subscriberId: idSchema };

export const notificationEvents = {
  /** v2: a guest's address is sealed with the subscriber's key (v1 carried it in plaintext). */
  'parley.subscriber.subscribed.v2': z.object({
    ...subscriber,
    subscriptionId: idSchema,
    subscriber: subscriberRefSchema,
    kind: subscriptionKindSchema,
    /** The post (post), the comment (branch); null for replies and blog. */
    targetId: idSchema.nullable(),
    channels: z.array(channelSchema),
    frequency: frequencySchema,
    subscribedAt: isoTimeSchema,
    /** The comment whose "notify me" choice made this subscription, when one did. */
    viaCommentId: idSchema.optional(),
  }),
  /** v2: the address is sealed with the subscriber's key (v1 carried it in plaintext). */
  'parley.subscriber.confirmation-requested.v2': z.object({
    ...subscriber,
    email: personalDataSchema(emailSchema),
    requestedAt: isoTimeSchema,
  }),
  'parley.subscriber.confirmed.v1': z.object({ ...subscriber, confirmedAt: isoTimeSchema }),
  'parley.subscriber.preferences-changed.v1': z.object({
    ...subscriber,
    subscriptionId: idSchema,
    channels: z.array(channelSchema),
    frequency: frequencySchema,
    changedAt: isoTimeSchema,
  }),
  'parley.subscriber.unsubscribed.v1': z.object({
    ...subscriber,
    subscriptionId: idSchema,
    via: z.enum(['one-click', 'manage', 'api']),
    unsubscribedAt: isoTimeSchema,
  }),
  'parley.subscriber.paused.v1': z.object({
    ...subscriber,
    until: isoTimeSchema,
    pausedAt: isoTimeSchema,
  }),
  'parley.subscriber.resumed.v1': z.object({ ...subscriber, resumedAt: isoTimeSchema }),
  'parley.subscriber.webhook-registered.v1': z.object({
    ...subscriber,
    webhookId: idSchema,
    url: z.url(),
    registeredAt: isoTimeSchema,
    /** The webhook channel was added to the subscriptions and is offered to new ones. */
    useForSubscriptions: z.boolean().optional(),
  }),
  'parley.subscriber.webhook-removed.v1': z.object({
    ...subscriber,
    webhookId: idSchema,
    removedAt: isoTimeSchema,
  }),
  /**
   * v3: the subject names an account author by id only (v2 copied the account's name); v2: a
   * guest author's name is sealed with the guest's key, and the recipient has no display name.
   */
  'parley.notification.created.v3': z.object({
    notificationId: idSchema,
    recipient: z.object({
      subscriberId: idSchema,
      accountId: idSchema.nullable(),
    }),
    reason: notificationReasonSchema,
    /** The subscription (or rule) that made this person a recipient. */
    subscriptionId: idSchema.nullable(),
    subject: notifiedSubjectSchema,
    /** The event that caused the notification (comment visible, post published). */
    causeEventId: idSchema,
    channels: z.array(channelSchema),
    frequency: frequencySchema,
    createdAt: isoTimeSchema,
  }),
  'parley.notification.delivered.v1': z.object({
    notificationId: idSchema,
    channel: channelSchema,
    /** SMTP Message-ID or webhook delivery id. */
    messageId: z.string().nullable(),
    deliveredAt: isoTimeSchema,
  }),
  'parley.notification.delivery-failed.v1': z.object({
    notificationId: idSchema,
    channel: channelSchema,
    attempt: z.number().int().positive(),
    error: z.string(),
    permanent: z.boolean(),
    failedAt: isoTimeSchema,
  }),
  'parley.notification.suppressed.v1': z.object({
    notificationId: idSchema,
    channel: channelSchema,
    reason: z.string(),
    suppressedAt: isoTimeSchema,
  }),
  'parley.notification.batched.v1': z.object({
    notificationId: idSchema,
    channel: channelSchema,
    digestId: idSchema,
    batchedAt: isoTimeSchema,
  }),
  'parley.notification.read.v1': z.object({ notificationId: idSchema, readAt: isoTimeSchema }),
  /**
   * The confirmation mail for one request went out (a redelivered request sends none).
   * Published so the subscribers read model knows which confirmations are still owed.
   */
  'parley.subscriber.confirmation-mailed.v1': z.object({
    subscriberId: idSchema,
    requestedAt: isoTimeSchema,
    messageId: z.string(),
    mailedAt: isoTimeSchema,
  }),
  /**
   * The subscriber was erased at their request: every subscription ended, their address and
   * webhook dropped, and nothing is ever sent to them again, whatever they were subscribed to.
   */
  'parley.subscriber.erased.v1': z.object({ ...subscriber, erasedAt: isoTimeSchema }),
};

/** Kept inside the notifications store: signing secrets never leave it. */
export const notificationPrivateEvents = {
  'parley.webhook-secret.issued.v1': z.object({
    webhookId: idSchema,
    secret: z.string().min(32),
    issuedAt: isoTimeSchema,
  }),
  /**
   * Written before a mail or webhook leaves: a restart that finds an attempt without an
   * outcome knows the message may have gone out already, and does not send a second mail.
   */
  'parley.notification.delivery-started.v1': z.object({
    notificationId: idSchema,
    channel: channelSchema,
    attempt: z.number().int().positive(),
    /** Who started it: the consumer of new notifications, or the retry and digest scheduler. */
    by: z.enum(['delivery', 'scheduler']),
    messageId: z.string().nullable(),
    startedAt: isoTimeSchema,
  }),
};

/**
 * v1 events carried a guest's address, and the names of a notification, in plaintext: they read
 * as v2 with those values as they were, which every reader of a sealed field takes as legacy
 * plaintext; a v1 recipient's display name is dropped (the account directory has it). A v2
 * notification, which copied its author's name, reads as v3 with that name as it was.
 */
export const notificationUpcasters = [
  {
    from: 'parley.subscriber.subscribed.v1',
    to: 'parley.subscriber.subscribed.v2',
    upcast: (data: unknown) => data,
  },
  {
    from: 'parley.subscriber.confirmation-requested.v1',
    to: 'parley.subscriber.confirmation-requested.v2',
    upcast: (data: unknown) => data,
  },
  {
    from: 'parley.notification.created.v1',
    to: 'parley.notification.created.v2',
    upcast: (data: unknown) => withoutRecipientName(data),
  },
  {
    from: 'parley.notification.created.v2',
    to: 'parley.notification.created.v3',
    upcast: (data: unknown) => withCopiedAuthorName(data),
  },
];

function withCopiedAuthorName(data: unknown): unknown {
  if (typeof data !== 'object' || data === null) return data;
  const { subject } = data as { subject?: unknown };
  if (typeof subject !== 'object' || subject === null || !('authorName' in subject)) return data;
  const { authorName, ...rest } = subject as Record<string, unknown>;
  return { ...data, subject: { ...rest, author: { kind: 'named', name: authorName } } };
}

function withoutRecipientName(data: unknown): unknown {
  if (typeof data !== 'object' || data === null) return data;
  const { recipient } = data as { recipient?: unknown };
  if (typeof recipient !== 'object' || recipient === null) return data;
  const { displayName: _dropped, ...rest } = recipient as Record<string, unknown>;
  return { ...data, recipient: rest };
}
