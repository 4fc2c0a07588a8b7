import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type Actor,
  SUBSCRIBER_PERSONAL_FIELDS as F,
  type SubscribeRequest,
  type SubscriberView,
  type SubscriptionList,
  type SubscriptionView,
  type UpdateSubscriptionRequest,
  type WebhookCreated,
  type WebhookView,
} from '@parley/contracts';
import {
  type DomainError,
  type EventStore,
  domainError,
  handleCommand,
  loadState,
} from '@parley/eventstore';
import { EVENT_STORE, PERSON_KEYS, READ_MODELS } from '@parley/platform';
import { guestPerson, PersonalDataCipher, type PersonKeyStore } from '@parley/privacy';
import type { LiveReadModels } from '@parley/readmodel';
import type { LinkGrant } from '../links/link-tokens';
import type { Links } from '../links/links';
import { NOTIFICATIONS_OPTIONS, type ResolvedNotificationsOptions } from '../notifications.options';
import {
  accountSubscriberId,
  guestSubscriberId,
  normalizeEmail,
  subscriberStream,
  subscriptionIdOf,
} from '../shared/ids';
import { LINKS, type Outcome, appendContext } from '../shared/runtime';
import {
  type ImplicitSubscription,
  type Subscriber,
  type SubscriberCommand,
  type SubscriberErrorCode,
  type SubscriberEvent,
  type SubscriberRef,
  type SubscriptionState,
  type WebhookState,
  type Who,
  defaultChannels,
  initialSubscriber,
  subscriberDecider,
} from './subscriber.decider';
import {
  SUBSCRIPTIONS,
  type SubscriberEntry,
  type SubscriptionEntry,
  subscriptionStateOf,
} from './subscriptions.projection';

export type SubscriptionsErrorCode =
  | SubscriberErrorCode
  | 'InvalidToken'
  | 'TokenExpired'
  | 'EmailRequired'
  | 'EmailNotExpected'
  | 'WebhookTargetNotAllowed';
export type SubscriptionsError = DomainError<SubscriptionsErrorCode>;
type Result<T> = Outcome<T, SubscriptionsError>;

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = <T>(code: SubscriptionsErrorCode, message: string): Result<T> => ({
  ok: false,
  error: domainError(code, message),
});

/** Who is asking: an account (actor header), or whoever holds a signed manage link. */
export type Caller = { kind: 'actor'; actor: Actor } | { kind: 'token'; token: string };

export function accountWho(accountId: string): Who {
  return { subscriberId: accountSubscriberId(accountId), ref: { kind: 'account', accountId } };
}

export function guestWho(email: string): Who {
  const normalized = normalizeEmail(email);
  return { subscriberId: guestSubscriberId(normalized), ref: { kind: 'email', email: normalized } };
}

/** The subscriber a personal-data request names: an account by its id, else a guest by address. */
export function personWho(person: { accountId?: string; email?: string }): Who {
  return person.accountId !== undefined
    ? accountWho(person.accountId)
    : guestWho(person.email ?? '');
}

/** The implicit subscription an id stands for, for an account that never changed it. */
function implicitOf(who: Who, subscriptionId: string): ImplicitSubscription | undefined {
  if (who.ref.kind !== 'account') return undefined;
  if (subscriptionId === subscriptionIdOf(who.subscriberId, 'replies', null))
    return { kind: 'replies', targetId: null };
  return undefined;
}

function view(s: SubscriptionState, state: Subscriber, implicit: boolean): SubscriptionView {
  return {
    id: s.id,
    kind: s.kind,
    targetId: s.targetId,
    channels: s.channels,
    frequency: s.frequency,
    status: !s.active
      ? 'unsubscribed'
      : state.ref?.kind === 'email' && !state.confirmed
        ? 'pending-confirmation'
        : 'active',
    implicit,
    subscribedAt: implicit ? null : s.subscribedAt,
  };
}

function webhookView(webhook: WebhookState): WebhookView {
  return {
    id: webhook.id,
    url: webhook.url,
    registeredAt: webhook.registeredAt,
    useForSubscriptions: webhook.forSubscriptions,
  };
}

/** Subscribing, double opt-in, preferences, unsubscribing, pausing and webhooks. */
@Injectable()
export class SubscriptionsService {
  private readonly cipher: PersonalDataCipher;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: LiveReadModels,
    @Inject(NOTIFICATIONS_OPTIONS) private readonly options: ResolvedNotificationsOptions,
    @Inject(LINKS) private readonly links: Links,
    @Inject(PERSON_KEYS) keys: PersonKeyStore,
  ) {
    this.cipher = new PersonalDataCipher(keys);
  }

  async load(subscriberId: string): Promise<Subscriber> {
    return loadState(this.store, subscriberDecider, subscriberStream(subscriberId));
  }

  /**
   * A subscriber's address as the events carry it, opened with the subscriber's key: null once
   * the subscriber is erased (the key destroyed), so nothing is ever mailed to it again.
   */
  async addressOf(ref: SubscriberRef | null): Promise<string | null> {
    if (ref?.kind !== 'email') return null;
    const opened = await this.cipher.openStored(ref.email, F.email);
    return opened.status === 'plain' ? opened.value : null;
  }

  async execute(
    command: SubscriberCommand,
  ): Promise<Outcome<{ state: Subscriber; events: SubscriberEvent[] }, SubscriptionsError>> {
    const outcome = await handleCommand(
      this.store,
      subscriberDecider,
      subscriberStream(command.who.subscriberId),
      await this.sealed(command),
      appendContext(),
      { now: this.options.clock, retriesOnConflict: 5 },
    );
    if (!outcome.ok) return outcome;
    return {
      ok: true,
      value: { state: outcome.state, events: outcome.events as unknown as SubscriberEvent[] },
    };
  }

  /**
   * A guest's Subscribe with their address sealed with their key for its events. An erased
   * subscriber is sealed nothing: a new key would name their address again.
   */
  private async sealed(command: SubscriberCommand): Promise<SubscriberCommand> {
    if (command.type !== 'Subscribe' || command.who.ref.kind !== 'email') return command;
    if ((await this.load(command.who.subscriberId)).erased) return command;
    const email = command.who.ref.email;
    return { ...command, sealedEmail: await this.cipher.seal(guestPerson(email), F.email, email) };
  }

  /** Erases a subscriber (see the Erase command); answers how many subscriptions it ended. */
  async erase(who: Who): Promise<number> {
    const before = await this.load(who.subscriberId);
    const outcome = await this.execute({ type: 'Erase', who });
    if (!outcome.ok) throw new Error(`Erasing a subscriber failed: ${outcome.error.code}`);
    if (outcome.value.events.length === 0) return 0;
    return Object.values(before.subscriptions).filter((s) => s.active).length;
  }

  /** The subscriber behind a request: the actor's account, or the one a manage link names. */
  async resolveCaller(caller: Caller): Promise<Result<Who>> {
    if (caller.kind === 'actor') return ok(accountWho(caller.actor.accountId));
    const check = this.links.tokens.verify(caller.token, this.options.clock(), ['manage']);
    if (!check.ok) return this.tokenFailure(check.reason);
    return this.whoOf(check.grant.subscriberId);
  }

  async subscribe(
    actor: Actor | null,
    request: SubscribeRequest,
  ): Promise<Result<SubscriptionView>> {
    if (actor && request.email !== undefined)
      return fail('EmailNotExpected', 'Accounts are notified at their own verified address');
    if (!actor && request.email === undefined)
      return fail('EmailRequired', 'An email address is needed to subscribe without an account');
    const who = actor ? accountWho(actor.accountId) : guestWho(request.email ?? '');
    const targetId = request.targetId ?? null;
    const subscriptionId = subscriptionIdOf(who.subscriberId, request.kind, targetId);
    const outcome = await this.execute({
      type: 'Subscribe',
      who,
      subscriptionId,
      kind: request.kind,
      targetId,
      ...(request.channels ? { channels: request.channels } : {}),
      ...(request.frequency ? { frequency: request.frequency } : {}),
    });
    if (!outcome.ok) return outcome;
    const state = outcome.value.state;
    const subscription = state.subscriptions[subscriptionId];
    if (!subscription) throw new Error(`Subscription ${subscriptionId} missing after subscribe`);
    return ok(view(subscription, state, false));
  }

  /** What the policy does with a comment's "notify me" choice. */
  async subscribeFromComment(input: {
    who: Who;
    commentId: string;
    kind: 'replies' | 'post';
    targetId: string | null;
  }): Promise<void> {
    const outcome = await this.execute({
      type: 'Subscribe',
      who: input.who,
      subscriptionId: subscriptionIdOf(input.who.subscriberId, input.kind, input.targetId),
      kind: input.kind,
      targetId: input.targetId,
      viaCommentId: `${input.commentId}:${input.kind}`,
    });
    if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  }

  /** From the read model: what the policy sees is what the subscriber is shown. */
  async list(who: Who): Promise<SubscriptionList> {
    const db = this.readModels.db(SUBSCRIPTIONS);
    const [entry, known] = await Promise.all([
      db.collection<SubscriberEntry>('subscribers').findOne({ _id: who.subscriberId }),
      db
        .collection<SubscriptionEntry>('subscriptions')
        .find({ subscriberId: who.subscriberId }, { sort: { subscribedAt: 1, _id: 1 } }),
    ]);
    const state: Subscriber = {
      ...initialSubscriber,
      ref: who.ref,
      confirmed: entry?.confirmed ?? false,
      pausedUntil: entry?.pausedUntil ?? null,
    };
    const items = known
      .filter((s) => s.active)
      .map((s) => view(subscriptionStateOf(s), state, false));
    if (who.ref.kind === 'account') {
      const repliesId = subscriptionIdOf(who.subscriberId, 'replies', null);
      if (!known.some((s) => s._id === repliesId)) {
        items.unshift(
          view(
            {
              id: repliesId,
              kind: 'replies',
              targetId: null,
              channels: defaultChannels(who.ref),
              frequency: 'immediate',
              active: true,
              subscribedAt: '',
            },
            state,
            true,
          ),
        );
      }
    }
    return { subscriber: this.subscriberView(who, state), items };
  }

  subscriberView(who: Who, state: Subscriber): SubscriberView {
    const paused =
      state.pausedUntil !== null && Date.parse(state.pausedUntil) > this.options.clock().getTime();
    return {
      id: who.subscriberId,
      kind: who.ref.kind === 'account' ? 'account' : 'guest',
      confirmed: who.ref.kind === 'account' || state.confirmed,
      pausedUntil: paused ? state.pausedUntil : null,
    };
  }

  async update(
    who: Who,
    subscriptionId: string,
    request: UpdateSubscriptionRequest,
  ): Promise<Result<SubscriptionView>> {
    const implicit = implicitOf(who, subscriptionId);
    const outcome = await this.execute({
      type: 'ChangePreferences',
      who,
      subscriptionId,
      ...(request.channels ? { channels: request.channels } : {}),
      ...(request.frequency ? { frequency: request.frequency } : {}),
      ...(implicit ? { implicit } : {}),
    });
    if (!outcome.ok) return outcome;
    const subscription = outcome.value.state.subscriptions[subscriptionId];
    if (!subscription) return fail('SubscriptionNotFound', 'There is no such subscription');
    return ok(view(subscription, outcome.value.state, false));
  }

  async unsubscribe(
    who: Who,
    subscriptionId: string,
    via: 'manage' | 'api',
  ): Promise<Result<void>> {
    const implicit = implicitOf(who, subscriptionId);
    const outcome = await this.execute({
      type: 'Unsubscribe',
      who,
      subscriptionId,
      via,
      ...(implicit ? { implicit } : {}),
    });
    return outcome.ok ? ok(undefined) : outcome;
  }

  async pause(who: Who, days: number): Promise<Result<SubscriberView>> {
    const outcome = await this.execute({ type: 'Pause', who, days });
    if (!outcome.ok) return outcome;
    return ok(this.subscriberView(who, outcome.value.state));
  }

  async resume(who: Who): Promise<Result<SubscriberView>> {
    const outcome = await this.execute({ type: 'Resume', who });
    if (!outcome.ok) return outcome;
    return ok(this.subscriberView(who, outcome.value.state));
  }

  async confirm(token: string): Promise<Result<{ confirmed: true; subscriberId: string }>> {
    const check = this.links.tokens.verify(token, this.options.clock(), ['confirm']);
    if (!check.ok) return this.tokenFailure(check.reason);
    const grant = check.grant as Extract<LinkGrant, { purpose: 'confirm' }>;
    const who = guestWho(grant.email);
    if (who.subscriberId !== grant.subscriberId)
      return fail('InvalidToken', 'This link is not valid');
    const outcome = await this.execute({ type: 'Confirm', who });
    if (!outcome.ok) return outcome;
    return ok({ confirmed: true, subscriberId: who.subscriberId });
  }

  /** What a one-click link would stop, without stopping it (GET must change nothing). */
  async previewUnsubscribe(token: string): Promise<Result<SubscriptionView[]>> {
    const target = await this.unsubscribeTarget(token);
    if (!target.ok) return target;
    const { who, state, grant } = target.value;
    return ok(this.affected(who, state, grant));
  }

  /** RFC 8058 one-click unsubscribe: the link alone is enough, no login. */
  async oneClickUnsubscribe(
    token: string,
  ): Promise<Result<{ unsubscribed: boolean; subscriptions: SubscriptionView[] }>> {
    const target = await this.unsubscribeTarget(token);
    if (!target.ok) return target;
    const { who, grant } = target.value;
    const command: SubscriberCommand =
      grant.purpose === 'unsubscribe'
        ? {
            type: 'Unsubscribe',
            who,
            subscriptionId: grant.subscriptionId,
            via: 'one-click',
            ...(who.ref.kind === 'account'
              ? { implicit: { kind: grant.kind, targetId: grant.targetId } }
              : {}),
          }
        : { type: 'UnsubscribeDigest', who, frequency: grant.frequency, via: 'one-click' };
    const before = await this.load(who.subscriberId);
    const outcome = await this.execute(command);
    if (!outcome.ok) return outcome;
    const affected = this.affected(who, before, grant).map((s) => ({
      ...s,
      status: 'unsubscribed' as const,
    }));
    return ok({ unsubscribed: true, subscriptions: affected });
  }

  private affected(
    who: Who,
    state: Subscriber,
    grant: Extract<LinkGrant, { purpose: 'unsubscribe' | 'unsubscribe-digest' }>,
  ): SubscriptionView[] {
    if (grant.purpose === 'unsubscribe-digest') {
      return Object.values(state.subscriptions)
        .filter((s) => s.active && s.frequency === grant.frequency)
        .map((s) => view(s, state, false));
    }
    const existing = state.subscriptions[grant.subscriptionId];
    if (existing) return [view(existing, state, false)];
    const channels = who.ref.kind === 'account' ? defaultChannels(who.ref) : [];
    return [
      view(
        {
          id: grant.subscriptionId,
          kind: grant.kind,
          targetId: grant.targetId,
          channels,
          frequency: 'immediate',
          active: who.ref.kind === 'account',
          subscribedAt: '',
        },
        state,
        true,
      ),
    ];
  }

  private async unsubscribeTarget(token: string): Promise<
    Result<{
      who: Who;
      state: Subscriber;
      grant: Extract<LinkGrant, { purpose: 'unsubscribe' | 'unsubscribe-digest' }>;
    }>
  > {
    const check = this.links.tokens.verify(token, this.options.clock(), [
      'unsubscribe',
      'unsubscribe-digest',
    ]);
    if (!check.ok) return this.tokenFailure(check.reason);
    const grant = check.grant as Extract<
      LinkGrant,
      { purpose: 'unsubscribe' | 'unsubscribe-digest' }
    >;
    const who = await this.whoOf(grant.subscriberId);
    if (!who.ok) return who;
    return ok({ who: who.value, state: await this.load(grant.subscriberId), grant });
  }

  /** Accounts are known by their subscriber id; guests by the address in their stream. */
  async whoOf(subscriberId: string): Promise<Result<Who>> {
    if (!subscriberId.startsWith('subscriber-guest-'))
      return ok(accountWho(subscriberId.slice('subscriber-'.length)));
    const email = await this.addressOf((await this.load(subscriberId)).ref);
    if (email === null) return fail('InvalidToken', 'This link is not valid');
    return ok({ subscriberId, ref: { kind: 'email', email } });
  }

  /** With `useForSubscriptions`, the webhook channel joins every subscription the account has. */
  async registerWebhook(
    actor: Actor,
    url: string,
    useForSubscriptions: boolean,
  ): Promise<Result<WebhookCreated>> {
    const refusal = this.options.webhookTargets.urlRefusal(url);
    if (refusal !== null)
      return fail('WebhookTargetNotAllowed', `Webhooks go to public hosts only: ${refusal}`);
    const who = accountWho(actor.accountId);
    const webhookId = `wh-${randomUUID()}`;
    const secret = randomBytes(32).toString('base64url');
    const outcome = await this.execute({
      type: 'RegisterWebhook',
      who,
      webhookId,
      url,
      secret,
      useForSubscriptions,
      implicit: [
        {
          subscriptionId: subscriptionIdOf(who.subscriberId, 'replies', null),
          kind: 'replies',
          targetId: null,
        },
      ],
    });
    if (!outcome.ok) return outcome;
    const webhook = outcome.value.state.webhook;
    if (!webhook) throw new Error('Webhook missing after registration');
    return ok({ ...webhookView(webhook), secret });
  }

  async webhooks(actor: Actor): Promise<WebhookView[]> {
    const state = await this.load(accountSubscriberId(actor.accountId));
    return state.webhook ? [webhookView(state.webhook)] : [];
  }

  async removeWebhook(actor: Actor, webhookId: string): Promise<Result<void>> {
    const outcome = await this.execute({
      type: 'RemoveWebhook',
      who: accountWho(actor.accountId),
      webhookId,
    });
    return outcome.ok ? ok(undefined) : outcome;
  }

  private tokenFailure<T>(reason: 'invalid' | 'expired' | 'wrong-purpose'): Result<T> {
    return reason === 'expired'
      ? fail('TokenExpired', 'This link has expired')
      : fail('InvalidToken', 'This link is not valid');
  }
}
