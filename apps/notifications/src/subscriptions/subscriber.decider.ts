import type {
  Channel,
  DomainEvent,
  EventData,
  Frequency,
  SubscriptionKind,
} from '@parley/contracts';
import { type Decider, type DomainError, assertNever, domainError } from '@parley/eventstore';

export type SubscriberEvent = DomainEvent<
  | 'parley.subscriber.subscribed.v2'
  | 'parley.subscriber.confirmation-requested.v2'
  | 'parley.subscriber.confirmed.v1'
  | 'parley.subscriber.preferences-changed.v1'
  | 'parley.subscriber.unsubscribed.v1'
  | 'parley.subscriber.paused.v1'
  | 'parley.subscriber.resumed.v1'
  | 'parley.subscriber.webhook-registered.v1'
  | 'parley.subscriber.webhook-removed.v1'
  | 'parley.webhook-secret.issued.v1'
  | 'parley.subscriber.confirmation-mailed.v1'
  | 'parley.subscriber.erased.v1'
>;

/**
 * Who a subscriber is: an account (its verified address), or a guest's email address. In a
 * command the address is in plaintext; in events, and so in the state, it is sealed with the
 * subscriber's key (or legacy plaintext from an upcast v1 event).
 */
export type SubscriberRef =
  { kind: 'account'; accountId: string } | { kind: 'email'; email: string };

export interface Who {
  subscriberId: string;
  ref: SubscriberRef;
}

export interface SubscriptionState {
  id: string;
  kind: SubscriptionKind;
  targetId: string | null;
  channels: Channel[];
  frequency: Frequency;
  active: boolean;
  subscribedAt: string;
}

export interface WebhookState {
  id: string;
  url: string;
  registeredAt: string;
  secret: string | null;
  /** Added to the subscriptions at registration, and so offered to new ones. */
  forSubscriptions: boolean;
}

export interface Subscriber {
  subscriberId: string | null;
  ref: SubscriberRef | null;
  subscriptions: Record<string, SubscriptionState>;
  /** Guests: the address answered the confirmation mail (double opt-in). */
  confirmed: boolean;
  /** When it answered: what happened before was never consented to. */
  confirmedAt: string | null;
  confirmationRequestedAt: string | null;
  /** Confirmation requests of the last day (by their time): the address's daily allowance. */
  confirmationsToday: string[];
  /** Confirmation requests (by their time) whose mail went out. */
  confirmationsMailed: string[];
  pausedUntil: string | null;
  webhook: WebhookState | null;
  /** Comments whose "notify me" choice was applied already: a redelivery changes nothing. */
  viaComments: string[];
  /** Erased at their request: subscribed to nothing, and never sent anything again. */
  erased: boolean;
}

/** A subscription an account has without asking for it, materialized when it is first changed. */
export interface ImplicitSubscription {
  kind: SubscriptionKind;
  targetId: string | null;
}

/** An implicit subscription by the id it gets once it is materialized. */
export type NamedImplicitSubscription = ImplicitSubscription & { subscriptionId: string };

export type SubscriberCommand =
  | {
      type: 'Subscribe';
      who: Who;
      subscriptionId: string;
      kind: SubscriptionKind;
      targetId: string | null;
      channels?: Channel[];
      frequency?: Frequency;
      viaCommentId?: string;
      /** A guest's address sealed with their key, as the events carry it (the use case seals it). */
      sealedEmail?: string;
    }
  | { type: 'Confirm'; who: Who }
  | {
      type: 'ChangePreferences';
      who: Who;
      subscriptionId: string;
      channels?: Channel[];
      frequency?: Frequency;
      implicit?: ImplicitSubscription;
    }
  | {
      type: 'Unsubscribe';
      who: Who;
      subscriptionId: string;
      via: 'one-click' | 'manage' | 'api';
      implicit?: ImplicitSubscription;
    }
  | { type: 'UnsubscribeDigest'; who: Who; frequency: Frequency; via: 'one-click' | 'manage' }
  | { type: 'Pause'; who: Who; days: number }
  | { type: 'Resume'; who: Who }
  | {
      type: 'RegisterWebhook';
      who: Who;
      webhookId: string;
      url: string;
      secret: string;
      /** Add the webhook channel to the active subscriptions and to the implicit ones. */
      useForSubscriptions: boolean;
      implicit: readonly NamedImplicitSubscription[];
    }
  | { type: 'RemoveWebhook'; who: Who; webhookId: string }
  | { type: 'RecordConfirmationMailed'; who: Who; requestedAt: string; messageId: string }
  | { type: 'Erase'; who: Who };

export type SubscriberErrorCode =
  | 'SubscriptionNotFound'
  | 'ChannelNotAvailable'
  | 'NotAGuest'
  | 'WebhookNotFound'
  | 'WebhookNeedsAccount';
export type SubscriberError = DomainError<SubscriberErrorCode>;

/** A second confirmation mail is not sent to the same address within this time. */
export const CONFIRMATION_COOLDOWN_MS = 15 * 60 * 1000;
/** Confirmation mails one address is sent in any 24 hours, however often it is subscribed. */
export const CONFIRMATION_DAILY_LIMIT = 3;
const DAY_MS = 24 * 60 * 60 * 1000;

export function defaultChannels(ref: SubscriberRef): Channel[] {
  return ref.kind === 'account' ? ['email', 'in-app'] : ['email'];
}

/** What a new subscription gets unless it names its channels: the webhook too, if it is for them. */
export function newSubscriptionChannels(state: Subscriber, ref: SubscriberRef): Channel[] {
  const channels = defaultChannels(ref);
  return ref.kind === 'account' && state.webhook?.forSubscriptions
    ? [...channels, 'webhook']
    : channels;
}

/**
 * Double opt-in: a guest's address is mailed a notification only when it had confirmed
 * before the notification was made, however late its delivery runs.
 */
export function consentedBefore(subscriber: Subscriber, createdAt: string): boolean {
  return (
    subscriber.confirmed &&
    subscriber.confirmedAt !== null &&
    Date.parse(subscriber.confirmedAt) <= Date.parse(createdAt)
  );
}

export const initialSubscriber: Subscriber = {
  subscriberId: null,
  ref: null,
  subscriptions: {},
  confirmed: false,
  confirmedAt: null,
  confirmationRequestedAt: null,
  confirmationsToday: [],
  confirmationsMailed: [],
  pausedUntil: null,
  webhook: null,
  viaComments: [],
  erased: false,
};

function sameChannels(a: readonly Channel[], b: readonly Channel[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

/** A subscription as its subscribed event makes it: active, on the channels it names. */
export function subscriptionOf(d: EventData<'parley.subscriber.subscribed.v2'>): SubscriptionState {
  return {
    id: d.subscriptionId,
    kind: d.kind,
    targetId: d.targetId,
    channels: d.channels,
    frequency: d.frequency,
    active: true,
    subscribedAt: d.subscribedAt,
  };
}

/** The events of a subscriber that change one of their subscriptions after it was made. */
type SubscriptionChange = DomainEvent<
  'parley.subscriber.preferences-changed.v1' | 'parley.subscriber.unsubscribed.v1'
>;

/**
 * A subscription once its subscriber changed its channels and frequency, or ended it: the
 * subscriber's state and the subscriptions read model fold it alike.
 */
export function subscriptionAfter<T extends Omit<SubscriptionState, 'id'>>(
  current: T,
  event: SubscriptionChange,
): T {
  return event.type === 'parley.subscriber.unsubscribed.v1'
    ? { ...current, active: false }
    : { ...current, channels: event.data.channels, frequency: event.data.frequency };
}

/** The subscriber as events name them: a guest's address only sealed, never in plaintext. */
function eventRef(who: Who, sealedEmail: string | undefined): SubscriberRef {
  return who.ref.kind === 'account' ? who.ref : { kind: 'email', email: sealed(sealedEmail) };
}

function sealed(email: string | undefined): string {
  if (email === undefined) throw new Error('A guest subscribes with their address sealed');
  return email;
}

function confirmationRequest(
  state: Subscriber,
  who: Who,
  sealedEmail: string | undefined,
  now: Date,
): SubscriberEvent[] {
  if (who.ref.kind !== 'email' || state.confirmed) return [];
  const last = state.confirmationRequestedAt ? Date.parse(state.confirmationRequestedAt) : null;
  if (last !== null && now.getTime() - last < CONFIRMATION_COOLDOWN_MS) return [];
  const today = state.confirmationsToday.filter((at) => now.getTime() - Date.parse(at) < DAY_MS);
  // Subscribing still answers the same: whether a mail goes out is not the caller's to know.
  if (today.length >= CONFIRMATION_DAILY_LIMIT) return [];
  return [
    {
      type: 'parley.subscriber.confirmation-requested.v2',
      data: {
        subscriberId: who.subscriberId,
        email: sealed(sealedEmail),
        requestedAt: now.toISOString(),
      },
    },
  ];
}

function subscribed(
  who: Who,
  ref: SubscriberRef,
  subscriptionId: string,
  kind: SubscriptionKind,
  targetId: string | null,
  channels: Channel[],
  frequency: Frequency,
  at: string,
  viaCommentId?: string,
): DomainEvent<'parley.subscriber.subscribed.v2'> {
  return {
    type: 'parley.subscriber.subscribed.v2',
    data: {
      subscriberId: who.subscriberId,
      subscriptionId,
      subscriber: ref,
      kind,
      targetId,
      channels,
      frequency,
      subscribedAt: at,
      ...(viaCommentId !== undefined ? { viaCommentId } : {}),
    },
  };
}

/** The subscription a command is about: an existing one, or an implicit one made explicit. */
function resolve(
  state: Subscriber,
  who: Who,
  subscriptionId: string,
  implicit: ImplicitSubscription | undefined,
  at: string,
): { subscription: SubscriptionState; materialize: SubscriberEvent[] } | SubscriberError {
  const existing = state.subscriptions[subscriptionId];
  if (existing) return { subscription: existing, materialize: [] };
  if (!implicit || who.ref.kind !== 'account')
    return domainError('SubscriptionNotFound', 'There is no such subscription');
  const channels = newSubscriptionChannels(state, who.ref);
  const event = subscribed(
    who,
    who.ref,
    subscriptionId,
    implicit.kind,
    implicit.targetId,
    channels,
    'immediate',
    at,
  );
  return { subscription: subscriptionOf(event.data), materialize: [event] };
}

/** The webhook channel added to each active subscription, implicit ones made explicit with it. */
function webhookForSubscriptions(
  state: Subscriber,
  command: Extract<SubscriberCommand, { type: 'RegisterWebhook' }>,
  at: string,
): SubscriberEvent[] {
  const { who } = command;
  const changed: SubscriberEvent[] = Object.values(state.subscriptions)
    .filter((s) => s.active && !s.channels.includes('webhook'))
    .map((s) => ({
      type: 'parley.subscriber.preferences-changed.v1',
      data: {
        subscriberId: who.subscriberId,
        subscriptionId: s.id,
        channels: [...s.channels, 'webhook'],
        frequency: s.frequency,
        changedAt: at,
      },
    }));
  const materialized = command.implicit
    .filter((i) => state.subscriptions[i.subscriptionId] === undefined)
    .map((i) =>
      subscribed(
        who,
        who.ref,
        i.subscriptionId,
        i.kind,
        i.targetId,
        [...defaultChannels(who.ref), 'webhook'],
        'immediate',
        at,
      ),
    );
  return [...changed, ...materialized];
}

function isError<T>(value: T | SubscriberError): value is SubscriberError {
  return (value as { kind?: unknown }).kind === 'domain-error';
}

/** A subscriber: their subscriptions and preferences, double opt-in, pause, and webhook. */
export const subscriberDecider: Decider<
  Subscriber,
  SubscriberCommand,
  SubscriberEvent,
  SubscriberError
> = {
  initialState: initialSubscriber,
  evolve(state, event) {
    switch (event.type) {
      case 'parley.subscriber.subscribed.v2': {
        const d = event.data;
        return {
          ...state,
          subscriberId: d.subscriberId,
          ref: d.subscriber,
          subscriptions: { ...state.subscriptions, [d.subscriptionId]: subscriptionOf(d) },
          viaComments:
            d.viaCommentId !== undefined
              ? [...state.viaComments, d.viaCommentId]
              : state.viaComments,
        };
      }
      case 'parley.subscriber.confirmation-requested.v2': {
        const at = Date.parse(event.data.requestedAt);
        return {
          ...state,
          confirmationRequestedAt: event.data.requestedAt,
          confirmationsToday: [
            ...state.confirmationsToday.filter((t) => at - Date.parse(t) < DAY_MS),
            event.data.requestedAt,
          ],
        };
      }
      case 'parley.subscriber.confirmed.v1':
        return { ...state, confirmed: true, confirmedAt: event.data.confirmedAt };
      case 'parley.subscriber.preferences-changed.v1':
      case 'parley.subscriber.unsubscribed.v1': {
        const current = state.subscriptions[event.data.subscriptionId];
        if (!current) return state;
        return {
          ...state,
          subscriptions: {
            ...state.subscriptions,
            [current.id]: subscriptionAfter(current, event),
          },
        };
      }
      case 'parley.subscriber.paused.v1':
        return { ...state, pausedUntil: event.data.until };
      case 'parley.subscriber.resumed.v1':
        return { ...state, pausedUntil: null };
      case 'parley.subscriber.webhook-registered.v1':
        return {
          ...state,
          webhook: {
            id: event.data.webhookId,
            url: event.data.url,
            registeredAt: event.data.registeredAt,
            secret: null,
            forSubscriptions: event.data.useForSubscriptions ?? false,
          },
        };
      case 'parley.webhook-secret.issued.v1':
        return state.webhook?.id === event.data.webhookId
          ? { ...state, webhook: { ...state.webhook, secret: event.data.secret } }
          : state;
      case 'parley.subscriber.webhook-removed.v1':
        return state.webhook?.id === event.data.webhookId ? { ...state, webhook: null } : state;
      case 'parley.subscriber.confirmation-mailed.v1':
        return {
          ...state,
          confirmationsMailed: [...state.confirmationsMailed, event.data.requestedAt],
        };
      case 'parley.subscriber.erased.v1':
        return {
          ...state,
          ref: state.ref?.kind === 'email' ? null : state.ref,
          subscriptions: Object.fromEntries(
            Object.entries(state.subscriptions).map(([id, s]) => [id, { ...s, active: false }]),
          ),
          confirmed: false,
          confirmedAt: null,
          confirmationRequestedAt: null,
          pausedUntil: null,
          webhook: null,
          erased: true,
        };
      default:
        return assertNever(event, 'subscriber event');
    }
  },
  decide(command, state, now) {
    const at = now.toISOString();
    const { who } = command;
    // An erased person asked never to hear from the blog again: nothing subscribes or mails them.
    if (state.erased) return [];
    switch (command.type) {
      case 'Erase':
        return [
          {
            type: 'parley.subscriber.erased.v1',
            data: { subscriberId: who.subscriberId, erasedAt: at },
          },
        ];
      case 'Subscribe': {
        if (command.viaCommentId !== undefined && state.viaComments.includes(command.viaCommentId))
          return [];
        const channels = command.channels ?? newSubscriptionChannels(state, who.ref);
        if (who.ref.kind === 'email' && channels.some((c) => c !== 'email'))
          return domainError(
            'ChannelNotAvailable',
            'Without an account, notifications can only be sent by email',
          );
        const frequency = command.frequency ?? 'immediate';
        const existing = state.subscriptions[command.subscriptionId];
        const events: SubscriberEvent[] = [];
        if (!existing || !existing.active) {
          events.push(
            subscribed(
              who,
              eventRef(who, command.sealedEmail),
              command.subscriptionId,
              command.kind,
              command.targetId,
              channels,
              frequency,
              at,
              command.viaCommentId,
            ),
          );
        } else if (
          (command.channels && !sameChannels(command.channels, existing.channels)) ||
          (command.frequency && command.frequency !== existing.frequency)
        ) {
          events.push({
            type: 'parley.subscriber.preferences-changed.v1',
            data: {
              subscriberId: who.subscriberId,
              subscriptionId: existing.id,
              channels,
              frequency,
              changedAt: at,
            },
          });
        }
        return [...events, ...confirmationRequest(state, who, command.sealedEmail, now)];
      }
      case 'Confirm':
        if (who.ref.kind !== 'email')
          return domainError('NotAGuest', 'Accounts have a verified address already');
        if (state.confirmed) return [];
        return [
          {
            type: 'parley.subscriber.confirmed.v1',
            data: { subscriberId: who.subscriberId, confirmedAt: at },
          },
        ];
      case 'ChangePreferences': {
        const resolved = resolve(state, who, command.subscriptionId, command.implicit, at);
        if (isError(resolved)) return resolved;
        const { subscription, materialize } = resolved;
        if (!subscription.active)
          return domainError('SubscriptionNotFound', 'There is no such subscription');
        const channels = command.channels ?? subscription.channels;
        const frequency = command.frequency ?? subscription.frequency;
        if (who.ref.kind === 'email' && channels.some((c) => c !== 'email'))
          return domainError(
            'ChannelNotAvailable',
            'Without an account, notifications can only be sent by email',
          );
        if (sameChannels(channels, subscription.channels) && frequency === subscription.frequency)
          return materialize;
        return [
          ...materialize,
          {
            type: 'parley.subscriber.preferences-changed.v1',
            data: {
              subscriberId: who.subscriberId,
              subscriptionId: subscription.id,
              channels,
              frequency,
              changedAt: at,
            },
          },
        ];
      }
      case 'Unsubscribe': {
        const resolved = resolve(state, who, command.subscriptionId, command.implicit, at);
        if (isError(resolved)) return resolved;
        if (!resolved.subscription.active) return [];
        return [
          ...resolved.materialize,
          {
            type: 'parley.subscriber.unsubscribed.v1',
            data: {
              subscriberId: who.subscriberId,
              subscriptionId: resolved.subscription.id,
              via: command.via,
              unsubscribedAt: at,
            },
          },
        ];
      }
      case 'UnsubscribeDigest':
        return Object.values(state.subscriptions)
          .filter((s) => s.active && s.frequency === command.frequency)
          .map((s) => ({
            type: 'parley.subscriber.unsubscribed.v1' as const,
            data: {
              subscriberId: who.subscriberId,
              subscriptionId: s.id,
              via: command.via,
              unsubscribedAt: at,
            },
          }));
      case 'Pause': {
        const until = new Date(now.getTime() + command.days * 86_400_000).toISOString();
        return [
          {
            type: 'parley.subscriber.paused.v1',
            data: { subscriberId: who.subscriberId, until, pausedAt: at },
          },
        ];
      }
      case 'Resume':
        if (state.pausedUntil === null) return [];
        return [
          {
            type: 'parley.subscriber.resumed.v1',
            data: { subscriberId: who.subscriberId, resumedAt: at },
          },
        ];
      case 'RegisterWebhook': {
        if (who.ref.kind !== 'account')
          return domainError('WebhookNeedsAccount', 'Webhooks are for accounts');
        const removed: SubscriberEvent[] = state.webhook
          ? [
              {
                type: 'parley.subscriber.webhook-removed.v1',
                data: {
                  subscriberId: who.subscriberId,
                  webhookId: state.webhook.id,
                  removedAt: at,
                },
              },
            ]
          : [];
        return [
          ...removed,
          {
            type: 'parley.subscriber.webhook-registered.v1',
            data: {
              subscriberId: who.subscriberId,
              webhookId: command.webhookId,
              url: command.url,
              registeredAt: at,
              useForSubscriptions: command.useForSubscriptions,
            },
          },
          {
            type: 'parley.webhook-secret.issued.v1',
            data: { webhookId: command.webhookId, secret: command.secret, issuedAt: at },
          },
          ...(command.useForSubscriptions ? webhookForSubscriptions(state, command, at) : []),
        ];
      }
      case 'RemoveWebhook':
        if (state.webhook?.id !== command.webhookId)
          return domainError('WebhookNotFound', 'There is no such webhook');
        return [
          {
            type: 'parley.subscriber.webhook-removed.v1',
            data: { subscriberId: who.subscriberId, webhookId: command.webhookId, removedAt: at },
          },
        ];
      case 'RecordConfirmationMailed':
        if (state.confirmationsMailed.includes(command.requestedAt)) return [];
        return [
          {
            type: 'parley.subscriber.confirmation-mailed.v1',
            data: {
              subscriberId: who.subscriberId,
              requestedAt: command.requestedAt,
              messageId: command.messageId,
              mailedAt: at,
            },
          },
        ];
      default:
        return assertNever(command, 'subscriber command');
    }
  },
};
