import { z } from 'zod';
import {
  channelSchema,
  cursorSchema,
  emailInputSchema,
  frequencySchema,
  idSchema,
} from '../common.schemas';
import {
  notificationReasonSchema,
  notificationSubjectSchema,
  subscriptionKindSchema,
} from '../notifications.events';

// Request and response schemas of the notifications service's internal HTTP API, shared with the gateway.
export const NOTIFICATIONS_API_VERSION = 'v1';

const channelsSchema = z
  .array(channelSchema)
  .min(1)
  .max(3)
  .refine((c) => new Set(c).size === c.length, 'channels must not repeat')
  .meta({ uniqueItems: true });

/** A signed link token (confirmation, unsubscribe, manage), as it arrives in a query string. */
export const tokenSchema = z.string().min(16).max(2000);
export const tokenQuerySchema = z.object({ token: tokenSchema }).strict();
export type TokenQuery = z.infer<typeof tokenQuerySchema>;
/** Endpoints a subscriber reaches either logged in (actor header) or with a signed manage link. */
export const optionalTokenQuerySchema = z.object({ token: tokenSchema.optional() }).strict();
export type OptionalTokenQuery = z.infer<typeof optionalTokenQuerySchema>;

export const subscribeRequestSchema = z
  .object({
    kind: subscriptionKindSchema,
    /** The post (kind post) or the comment whose branch is followed (kind branch). */
    targetId: idSchema.optional(),
    /** Guests only: the address to notify (it must be confirmed before anything else is mailed). */
    email: emailInputSchema.optional(),
    channels: channelsSchema.optional(),
    frequency: frequencySchema.optional(),
  })
  .strict()
  .superRefine((value, context) => {
    const needsTarget = value.kind === 'post' || value.kind === 'branch';
    if (needsTarget && value.targetId === undefined)
      context.addIssue({
        code: 'custom',
        path: ['targetId'],
        message: `required for ${value.kind}`,
      });
    if (!needsTarget && value.targetId !== undefined)
      context.addIssue({
        code: 'custom',
        path: ['targetId'],
        message: `not allowed for ${value.kind}`,
      });
  })
  .meta({
    anyOf: [
      { properties: { kind: { enum: ['post', 'branch'] } }, required: ['targetId'] },
      { properties: { kind: { enum: ['replies', 'blog'] } }, not: { required: ['targetId'] } },
    ],
  });
export type SubscribeRequest = z.infer<typeof subscribeRequestSchema>;

export const updateSubscriptionRequestSchema = z
  .object({ channels: channelsSchema.optional(), frequency: frequencySchema.optional() })
  .strict()
  .refine((v) => v.channels !== undefined || v.frequency !== undefined, {
    message: 'give channels or frequency',
  })
  .meta({ minProperties: 1 });
export type UpdateSubscriptionRequest = z.infer<typeof updateSubscriptionRequestSchema>;

export const pauseRequestSchema = z.object({ days: z.number().int().min(1).max(365) }).strict();
export type PauseRequest = z.infer<typeof pauseRequestSchema>;

export const SUBSCRIPTION_STATUSES = ['active', 'pending-confirmation', 'unsubscribed'] as const;

export const subscriptionViewSchema = z.object({
  id: idSchema,
  kind: subscriptionKindSchema,
  targetId: idSchema.nullable(),
  channels: z.array(channelSchema),
  frequency: frequencySchema,
  /** pending-confirmation: a guest's address is not confirmed yet, nothing is mailed. */
  status: z.enum(SUBSCRIPTION_STATUSES),
  /** True for what an account has without asking (replies to its comments, its own posts). */
  implicit: z.boolean(),
  subscribedAt: z.string().nullable(),
});
export type SubscriptionView = z.infer<typeof subscriptionViewSchema>;

export const subscriberViewSchema = z.object({
  id: idSchema,
  kind: z.enum(['account', 'guest']),
  /** Guests: whether the address is confirmed (double opt-in). Accounts: always true here. */
  confirmed: z.boolean(),
  pausedUntil: z.string().nullable(),
});
export type SubscriberView = z.infer<typeof subscriberViewSchema>;

export const subscriptionListSchema = z.object({
  subscriber: subscriberViewSchema,
  items: z.array(subscriptionViewSchema),
});
export type SubscriptionList = z.infer<typeof subscriptionListSchema>;

export const confirmResultSchema = z.object({ confirmed: z.literal(true), subscriberId: idSchema });
export type ConfirmResult = z.infer<typeof confirmResultSchema>;

/** RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click` as a form body. */
export const oneClickBodySchema = z.union([
  z.undefined(),
  z.literal(''),
  z.literal('List-Unsubscribe=One-Click'),
  z.object({ 'List-Unsubscribe': z.literal('One-Click') }).strict(),
]);

export const unsubscribeResultSchema = z.object({
  unsubscribed: z.boolean(),
  subscriptions: z.array(subscriptionViewSchema),
});
export type UnsubscribeResult = z.infer<typeof unsubscribeResultSchema>;

export const pausedViewSchema = z.object({ pausedUntil: z.string().nullable() });
export type PausedView = z.infer<typeof pausedViewSchema>;

export const inboxQuerySchema = z
  .object({
    cursor: cursorSchema(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).optional(),
    unread: z.enum(['true', 'false']).optional(),
  })
  .strict();
export type InboxQuery = z.infer<typeof inboxQuerySchema>;

export const notificationViewSchema = z.object({
  id: idSchema,
  reason: notificationReasonSchema,
  subject: notificationSubjectSchema,
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type NotificationView = z.infer<typeof notificationViewSchema>;

export const inboxResponseSchema = z.object({
  items: z.array(notificationViewSchema),
  unreadCount: z.number().int().min(0),
  nextCursor: z.string().nullable(),
});
export type InboxResponse = z.infer<typeof inboxResponseSchema>;

export const readAllResponseSchema = z.object({ marked: z.number().int().min(0) });
export type ReadAllResponse = z.infer<typeof readAllResponseSchema>;

export const CHANNEL_STATES = [
  'queued',
  'sending',
  'sent',
  'batched',
  'suppressed',
  'retrying',
  'failed',
] as const;

export const channelLedgerSchema = z.object({
  channel: channelSchema,
  state: z.enum(CHANNEL_STATES),
  /** Why it was suppressed or failed. */
  reason: z.string().nullable(),
  attempts: z.number().int().min(0),
  messageId: z.string().nullable(),
  digestId: z.string().nullable(),
  updatedAt: z.string(),
});
export type ChannelLedger = z.infer<typeof channelLedgerSchema>;

/** "Why was I notified?": the rule, the subscription, and what happened on each channel. */
export const notificationWhySchema = z.object({
  id: idSchema,
  reason: notificationReasonSchema,
  explanation: z.string(),
  subscription: z
    .object({ id: idSchema, kind: subscriptionKindSchema, targetId: idSchema.nullable() })
    .nullable(),
  subject: notificationSubjectSchema,
  causeEventId: idSchema,
  createdAt: z.string(),
  readAt: z.string().nullable(),
  channels: z.array(channelLedgerSchema),
});
export type NotificationWhy = z.infer<typeof notificationWhySchema>;

/**
 * An http(s) URL in the plain URI syntax (RFC 3986), which every receiver reads alike; an IPv6
 * host in brackets passes here so that the address rules answer for it by name.
 */
const WEBHOOK_URL =
  /^https?:\/\/(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:[/?](?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?$/;

export const registerWebhookRequestSchema = z
  .object({
    url: z
      .url()
      .max(2000)
      .regex(WEBHOOK_URL, 'must be an http or https URL with an ASCII host')
      .meta({ pattern: WEBHOOK_URL.source }),
    /** Default true: the webhook channel joins the subscriptions, now and new ones. */
    useForSubscriptions: z.boolean().optional().meta({
      default: true,
      description:
        'Add the webhook channel to every active subscription (the implicit one to replies included) and to new subscriptions made while this webhook exists. False leaves the subscriptions as they are.',
    }),
  })
  .strict();
export type RegisterWebhookRequest = z.infer<typeof registerWebhookRequestSchema>;

export const webhookViewSchema = z.object({
  id: idSchema,
  url: z.string(),
  registeredAt: z.string(),
  /** Whether the webhook channel is used for the subscriptions (see the registration). */
  useForSubscriptions: z.boolean(),
});
export type WebhookView = z.infer<typeof webhookViewSchema>;

/** Returned once, at registration: the key that signs every delivery (HMAC-SHA256). */
export const webhookCreatedSchema = webhookViewSchema.extend({ secret: z.string() });
export type WebhookCreated = z.infer<typeof webhookCreatedSchema>;

export const webhookListSchema = z.object({ items: z.array(webhookViewSchema) });
export type WebhookList = z.infer<typeof webhookListSchema>;

/** Headers of a webhook delivery: signature = hex HMAC-SHA256(secret, `${timestamp}.${body}`). */
export const WEBHOOK_HEADERS = {
  id: 'x-parley-webhook-id',
  timestamp: 'x-parley-webhook-timestamp',
  signature: 'x-parley-webhook-signature',
} as const;

export const mailboxMessageSchema = z.object({
  messageId: z.string(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  receivedAt: z.string(),
});
export const mailboxResponseSchema = z.object({ messages: z.array(mailboxMessageSchema) });
export type MailboxResponse = z.infer<typeof mailboxResponseSchema>;
