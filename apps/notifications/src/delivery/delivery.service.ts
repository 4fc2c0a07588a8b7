import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Channel, EventOf, SubscriptionKind } from '@parley/contracts';
import {
  ConcurrencyError,
  type EventStore,
  type LeaseStore,
  handleCommand,
  isDomainError,
  loadStream,
} from '@parley/eventstore';
import { MailDeliveryError, type MailMessage } from '@parley/mail';
import { backoffMs, classifyFailure, sleep } from '@parley/messaging';
import {
  APP_LOGGER,
  EVENT_STORE,
  LEASES,
  PERSONAL_DATA_OPENER,
  type PersonalDataOpener,
  READ_MODELS,
  showSubjects,
} from '@parley/platform';
import type { LiveReadModels } from '@parley/readmodel';
import type { Logger } from 'pino';
import { directoryAccountNames } from '../directory/account-names';
import { type AccountEntry, DIRECTORY } from '../directory/directory.projection';
import { INBOX, type NotificationEntry } from '../inbox/inbox.projection';
import {
  type NotificationCommand,
  type NotificationData,
  type NotificationEvent,
  type NotificationState,
  type ShownNotification,
  type Worker,
  notificationDecider,
} from '../inbox/notification.decider';
import type { Links } from '../links/links';
import {
  NOTIFICATIONS_OPTIONS,
  type ResolvedNotificationsOptions,
  retryDelayMs,
} from '../notifications.options';
import { NotYetProjected } from '../policy/policy.service';
import { digestOf } from '../shared/digest-period';
import { notificationStream } from '../shared/ids';
import { LINKS, appendContext } from '../shared/runtime';
import { type Subscriber, consentedBefore } from '../subscriptions/subscriber.decider';
import { SUBSCRIPTIONS, type SubscriberEntry } from '../subscriptions/subscriptions.projection';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { countOutcomes } from './delivery-outcomes';
import { type ItemLinks, confirmationMail, digestMail, notificationMail } from './mail-templates';
import { WebhookDeliveryError, postWebhook } from './webhook-sender';

type Target =
  | { kind: 'suppress'; reason: string }
  | { kind: 'email'; to: string }
  | { kind: 'webhook'; url: string; secret: string };

const PUSH_CHANNELS = ['email', 'webhook'] as const;

type ConfirmationOutcome = 'mailed' | 'not-owed' | 'refused' | 'deferred';

/** How long one sender may hold a confirmation mail before another may try (a crash). */
const CONFIRMATION_CLAIM_MS = 60_000;

/**
 * Sends what the policy decided, keyed by (notification, channel): the notification's
 * stream is checked and an attempt recorded before anything leaves, and the outcome right
 * after, so a redelivered event, a crash, a replay or a rebuild never mails twice.
 */
@Injectable()
export class DeliveryService {
  private readonly known = new Map<string, { state: NotificationState; version: number }>();
  /** Deferred confirmation mails by subscriber and request: the scheduler's backoff. */
  private readonly confirmationTries = new Map<string, { attempts: number; at: number }>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: LiveReadModels,
    @Inject(NOTIFICATIONS_OPTIONS) private readonly options: ResolvedNotificationsOptions,
    @Inject(LINKS) private readonly links: Links,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(LEASES) private readonly leases: LeaseStore,
    @Inject(PERSONAL_DATA_OPENER) private readonly personalData: PersonalDataOpener,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  /** A new notification: every push channel still queued (or cut off by a crash of this consumer). */
  async deliver(notificationId: string): Promise<void> {
    const state = await this.load(notificationId);
    for (const channel of PUSH_CHANNELS) {
      const status = state.channels[channel];
      if (!status) continue;
      if (
        status.status === 'queued' ||
        (status.status === 'sending' && status.startedBy === 'delivery')
      )
        await this.deliverChannel(state, channel, 'delivery');
    }
  }

  /** Failed sends whose backoff is over, tried again by the scheduler. */
  async retryDue(now: Date): Promise<number> {
    const waiting = await this.inbox().find({ retrying: true }, { limit: 200 });
    let tried = 0;
    for (const entry of waiting) {
      const state = await this.load(entry._id);
      for (const channel of PUSH_CHANNELS) {
        const status = state.channels[channel];
        if (!status) continue;
        const due =
          status.status === 'retrying' &&
          Date.parse(status.updatedAt) +
            retryDelayMs(status.attempts, this.options.retryBaseDelayMs) <=
            now.getTime();
        const interrupted = status.status === 'sending' && status.startedBy === 'scheduler';
        if (!due && !interrupted) continue;
        tried += 1;
        await this.deliverChannel(state, channel, 'scheduler');
      }
    }
    return tried;
  }

  /** Digests whose period is over: one mail per subscriber and period. */
  async sendDueDigests(now: Date): Promise<number> {
    const due = await this.inbox().find(
      { digestDueAt: { $lte: now.toISOString() } },
      { limit: 500, sort: { digestDueAt: 1 } },
    );
    const byDigest = new Map<string, NotificationEntry[]>();
    for (const entry of due) {
      const digestId = entry.ledger.find((c) => c.channel === 'email')?.digestId;
      if (!digestId) continue;
      byDigest.set(digestId, [...(byDigest.get(digestId) ?? []), entry]);
    }
    let sent = 0;
    for (const [digestId, entries] of byDigest) {
      if (
        await this.sendDigest(
          digestId,
          entries.map((e) => e._id),
        )
      )
        sent += 1;
    }
    return sent;
  }

  /**
   * Double opt-in: the confirmation mail of one request, once. A mail server refusing it for
   * now (4xx, or unreachable) leaves it owed: the scheduler sends it again (`retryConfirmations`).
   * The consumer and the scheduler may reach one request at the same time (after an outage,
   * say): a lease on the request lets one of them send it, and the other leaves it.
   */
  async mailConfirmation(event: {
    data: Pick<
      EventOf<'parley.subscriber.confirmation-requested.v2'>['data'],
      'subscriberId' | 'requestedAt'
    >;
  }): Promise<ConfirmationOutcome> {
    const { subscriberId, requestedAt } = event.data;
    const claim = `confirmation-mail:${subscriberId}:${requestedAt}`;
    const owner = randomUUID();
    if (!(await this.leases.tryAcquire(claim, owner, CONFIRMATION_CLAIM_MS))) return 'deferred';
    try {
      return await this.mailConfirmationClaimed(event.data);
    } finally {
      await this.leases.release(claim, owner).catch(() => undefined);
    }
  }

  private async mailConfirmationClaimed({
    subscriberId,
    requestedAt,
  }: {
    subscriberId: string;
    requestedAt: string;
  }): Promise<ConfirmationOutcome> {
    const state = await this.subscriptions.load(subscriberId);
    if (state.confirmed || state.confirmationsMailed.includes(requestedAt)) return 'not-owed';
    // A newer request sends its own mail.
    if (state.confirmationRequestedAt !== requestedAt) return 'not-owed';
    // The address opened with the subscriber's key: an erased subscriber has none.
    const who = await this.subscriptions.whoOf(subscriberId);
    if (!who.ok || who.value.ref.kind !== 'email') return 'not-owed';
    const email = who.value.ref.email;
    const now = this.options.clock();
    const mail = confirmationMail(this.links.confirm(subscriberId, email, now));
    const messageId = `<confirm-${createHash('sha256').update(`${subscriberId}|${requestedAt}`).digest('hex').slice(0, 32)}@${this.options.mailDomain}>`;
    try {
      await this.options.mailer.send({
        from: this.options.from,
        to: email,
        ...mail,
        messageId,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    } catch (error) {
      if (!(error instanceof MailDeliveryError)) throw error;
      if (error.permanent) {
        this.logger.warn({ subscriberId, code: error.responseCode }, 'confirmation mail refused');
        return 'refused';
      }
      this.logger.warn(
        { subscriberId, code: error.responseCode, err: error },
        'confirmation mail not accepted for now; the scheduler sends it again',
      );
      return 'deferred';
    }
    // The mail is gone: an outage of the store now must not make a retry send it again.
    await this.untilRecorded(() =>
      this.subscriptions.execute({
        type: 'RecordConfirmationMailed',
        who: who.value,
        requestedAt,
        messageId,
      }),
    );
    return 'mailed';
  }

  /**
   * Records what already happened (a mail sent), waiting out an infrastructure outage with
   * backoff (up to about five minutes) instead of failing the handler, whose retry would
   * repeat the sending too.
   */
  private async untilRecorded<T>(record: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + 300_000;
    for (let attempt = 1; ; attempt++) {
      try {
        return await record();
      } catch (error) {
        const pause = backoffMs(attempt, 100, 5_000);
        if (classifyFailure(error) !== 'infrastructure' || Date.now() + pause > deadline)
          throw error;
        this.logger.warn({ err: error }, 'could not record a sent mail yet; trying again');
        await sleep(pause);
      }
    }
  }

  /**
   * Confirmation mails still owed a while after their request (the delivery consumer's
   * attempt was deferred, or cut off by a crash), sent again with backoff.
   */
  async retryConfirmations(now: Date): Promise<number> {
    const base = this.options.retryBaseDelayMs;
    const owed = await this.subscribers().find(
      { confirmationDue: { $lte: new Date(now.getTime() - base).toISOString() } },
      { limit: 200, sort: { confirmationDue: 1 } },
    );
    let tried = 0;
    for (const entry of owed) {
      const requestedAt = entry.confirmationDue;
      if (requestedAt === null || entry.email === null) continue;
      const key = `${entry._id}|${requestedAt}`;
      const last = this.confirmationTries.get(key);
      if (last && last.at + retryDelayMs(last.attempts, base) > now.getTime()) continue;
      tried += 1;
      const outcome = await this.mailConfirmation({
        data: { subscriberId: entry._id, requestedAt },
      });
      if (outcome === 'deferred')
        this.confirmationTries.set(key, { attempts: (last?.attempts ?? 0) + 1, at: now.getTime() });
      else this.confirmationTries.delete(key);
    }
    return tried;
  }

  private async deliverChannel(
    state: NotificationState,
    channel: (typeof PUSH_CHANNELS)[number],
    by: Worker,
  ): Promise<void> {
    const n = state.notification;
    const status = state.channels[channel];
    if (!n || !status) return;
    const now = this.options.clock();
    const subscriber = await this.subscriptions.load(n.recipient.subscriberId);
    // A mail whose send was cut off is not sent again: the decider records it as such.
    const target: Target =
      status.status === 'sending' && channel === 'email'
        ? { kind: 'email', to: '' }
        : await this.target(n, subscriber, channel, now);
    if (target.kind === 'suppress') {
      if (status.status === 'sending')
        await this.record(n.notificationId, {
          type: 'RecordFailure',
          channel,
          error: target.reason,
          permanent: true,
          maxAttempts: this.options.maxAttempts,
        });
      else
        await this.record(n.notificationId, { type: 'Suppress', channel, reason: target.reason });
      return;
    }
    if (channel === 'email' && status.status === 'queued' && n.frequency !== 'immediate') {
      const { digestId } = digestOf(n.recipient.subscriberId, n.frequency, n.createdAt);
      await this.record(n.notificationId, { type: 'Batch', channel, digestId });
      return;
    }
    const messageId =
      channel === 'email' ? `<${n.notificationId}@${this.options.mailDomain}>` : n.notificationId;
    // Opened before the attempt is recorded: an outage of the comments service is waited out, not taken for a sent mail.
    const [shown] = await this.shown([n]);
    if (!shown) return;
    const payload = target.kind === 'webhook' ? await this.webhookPayload(shown) : null;
    if (!(await this.start(n.notificationId, channel, by, messageId))) return;
    try {
      if (target.kind === 'email')
        await this.options.mailer.send(this.message(shown, subscriber, target.to, now));
      else if (target.kind === 'webhook')
        await postWebhook({
          url: target.url,
          secret: target.secret,
          deliveryId: n.notificationId,
          body: JSON.stringify({
            id: n.notificationId,
            type: 'notification.created',
            notification: payload,
          }),
          now,
          timeoutMs: this.options.webhookTimeoutMs,
          targets: this.options.webhookTargets,
        });
    } catch (error) {
      await this.untilRecorded(() => this.recordFailure(n.notificationId, channel, error));
      return;
    }
    await this.untilRecorded(() =>
      this.record(n.notificationId, { type: 'RecordDelivered', channel, messageId }),
    );
  }

  private async sendDigest(digestId: string, notificationIds: string[]): Promise<boolean> {
    const now = this.options.clock();
    const states = await Promise.all(notificationIds.map((id) => this.load(id)));
    const waiting = states.filter(
      (s) =>
        s.notification !== null &&
        ((s.channels.email?.status === 'batched' && s.channels.email.digestId === digestId) ||
          (s.channels.email?.status === 'sending' && s.channels.email.startedBy === 'scheduler')),
    );
    const first = waiting[0]?.notification;
    if (!first || first.frequency === 'immediate') return false;
    const frequency = first.frequency;
    const subscriberId = first.recipient.subscriberId;
    const subscriber = await this.subscriptions.load(subscriberId);
    const messageId = `<${digestId}@${this.options.mailDomain}>`;
    const items: { notification: ShownNotification; links: ItemLinks }[] = [];
    let to = '';
    // Named before any attempt is recorded, as for a single mail.
    const shown = new Map(
      (await this.shown(waiting.flatMap((s) => (s.notification ? [s.notification] : [])))).map(
        (o) => [o.notificationId, o] as const,
      ),
    );
    for (const state of waiting) {
      const n = state.notification && shown.get(state.notification.notificationId);
      if (!n) continue;
      if (state.channels.email?.status === 'sending') {
        // Cut off while the digest was being sent: recorded, not sent again.
        await this.start(n.notificationId, 'email', 'scheduler', messageId);
        continue;
      }
      const target = await this.target(n, subscriber, 'email', now);
      if (target.kind === 'suppress') {
        await this.record(n.notificationId, {
          type: 'Suppress',
          channel: 'email',
          reason: target.reason,
        });
        continue;
      }
      if (target.kind !== 'email') continue;
      if (!(await this.start(n.notificationId, 'email', 'scheduler', messageId))) continue;
      to = target.to;
      items.push({ notification: n, links: this.itemLinks(n, subscriber) });
    }
    if (items.length === 0) return false;
    const mail = digestMail(items, frequency, {
      manage: this.links.manage(subscriberId, now),
      unsubscribe: this.links.unsubscribeDigest(subscriberId, frequency),
    });
    try {
      await this.options.mailer.send({
        from: this.options.from,
        to,
        ...mail,
        messageId,
        headers: this.listHeaders(this.links.unsubscribeDigest(subscriberId, frequency)),
      });
    } catch (error) {
      for (const { notification } of items)
        await this.untilRecorded(() =>
          this.recordFailure(notification.notificationId, 'email', error),
        );
      return false;
    }
    for (const { notification } of items)
      await this.untilRecorded(() =>
        this.record(notification.notificationId, {
          type: 'RecordDelivered',
          channel: 'email',
          messageId,
        }),
      );
    return true;
  }

  /** Where a channel goes for this recipient now, or why it must not. */
  private async target(
    n: Omit<NotificationData, 'subject'>,
    subscriber: Subscriber,
    channel: Channel,
    now: Date,
  ): Promise<Target> {
    if (subscriber.erased) return { kind: 'suppress', reason: 'erased' };
    const subscription = n.subscriptionId ? subscriber.subscriptions[n.subscriptionId] : undefined;
    if (subscription && !subscription.active) return { kind: 'suppress', reason: 'unsubscribed' };
    if (subscription && !subscription.channels.includes(channel))
      return { kind: 'suppress', reason: 'channel-turned-off' };
    if (subscriber.pausedUntil !== null && Date.parse(subscriber.pausedUntil) > now.getTime())
      return { kind: 'suppress', reason: 'paused' };
    if (channel === 'webhook') {
      const hook = subscriber.webhook;
      if (!hook || hook.secret === null) return { kind: 'suppress', reason: 'no-webhook' };
      return { kind: 'webhook', url: hook.url, secret: hook.secret };
    }
    const accountId = n.recipient.accountId;
    if (accountId === null) {
      if (subscriber.ref?.kind !== 'email') return { kind: 'suppress', reason: 'no-address' };
      // Double opt-in: an unconfirmed address gets the confirmation mail and nothing else.
      if (!consentedBefore(subscriber, n.createdAt))
        return { kind: 'suppress', reason: 'email-unconfirmed' };
      const to = await this.subscriptions.addressOf(subscriber.ref);
      return to === null ? { kind: 'suppress', reason: 'erased' } : { kind: 'email', to };
    }
    const account = await this.readModels
      .db(DIRECTORY)
      .collection<AccountEntry>('accounts')
      .findOne({ _id: accountId });
    if (!account) throw new NotYetProjected(`Account ${accountId}`);
    if (!account.emailVerified) return { kind: 'suppress', reason: 'email-unverified' };
    return { kind: 'email', to: account.email };
  }

  /**
   * Notifications as mail and webhooks show them: an account author's current name from the
   * directory (waited on while the account events have not brought it), a guest's opened by the
   * comments service.
   */
  private async shown(ns: readonly NotificationData[]): Promise<ShownNotification[]> {
    const names = directoryAccountNames(this.readModels);
    const subjects = await showSubjects(
      ns.map((n) => n.subject),
      {
        opener: this.personalData,
        accountNames: async (ids) => {
          const found = await names(ids);
          const missing = ids.find((id) => !found.has(id));
          if (missing !== undefined) throw new NotYetProjected(`Account ${missing}`);
          return found;
        },
      },
    );
    return ns.map((n, i) => ({ ...n, subject: subjects[i]! }));
  }

  /** What a webhook receives: the notification, with its recipient's name from the directory. */
  private async webhookPayload(n: ShownNotification): Promise<unknown> {
    const account =
      n.recipient.accountId === null
        ? null
        : await this.readModels
            .db(DIRECTORY)
            .collection<AccountEntry>('accounts')
            .findOne({ _id: n.recipient.accountId });
    return { ...n, recipient: { ...n.recipient, displayName: account?.displayName ?? null } };
  }

  private itemLinks(n: ShownNotification, subscriber: Subscriber): ItemLinks {
    const s = n.subject;
    return {
      item:
        s.kind === 'comment'
          ? this.links.comment(s.postSlug, s.commentId)
          : this.links.post(s.slug),
      reply: s.kind === 'comment' ? this.links.reply(s.postSlug, s.commentId) : null,
      unsubscribe: this.unsubscribeLink(n, subscriber),
    };
  }

  /** The one-click link of the subscription that caused the notification. */
  private unsubscribeLink(n: ShownNotification, subscriber: Subscriber): string {
    const subscriberId = n.recipient.subscriberId;
    if (n.subscriptionId === null) return this.links.unsubscribeDigest(subscriberId, n.frequency);
    const known = subscriber.subscriptions[n.subscriptionId];
    if (known) return this.links.unsubscribe(subscriberId, known);
    const postId = n.subject.postId;
    const implicit: { kind: SubscriptionKind; targetId: string | null } =
      n.reason === 'reply'
        ? { kind: 'replies', targetId: null }
        : n.reason === 'blog'
          ? { kind: 'blog', targetId: null }
          : { kind: 'post', targetId: postId };
    return this.links.unsubscribe(subscriberId, { id: n.subscriptionId, ...implicit });
  }

  private listHeaders(unsubscribe: string): Record<string, string> {
    return {
      'List-Unsubscribe': `<${unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Auto-Submitted': 'auto-generated',
    };
  }

  private message(
    n: ShownNotification,
    subscriber: Subscriber,
    to: string,
    now: Date,
  ): MailMessage {
    const links = this.itemLinks(n, subscriber);
    const mail = notificationMail(n, {
      ...links,
      manage: this.links.manage(n.recipient.subscriberId, now),
    });
    // Every notification about one post threads under the post in mail clients.
    const thread = `<post-${n.subject.postId}@${this.options.mailDomain}>`;
    return {
      from: this.options.from,
      to,
      ...mail,
      messageId: `<${n.notificationId}@${this.options.mailDomain}>`,
      inReplyTo: thread,
      references: [thread],
      headers: this.listHeaders(links.unsubscribe),
    };
  }

  /**
   * Records the attempt before anything leaves; false when another worker has it or it is done.
   * An append that fails may still have been taken (the store went away before it answered):
   * once the store answers, the stream tells. This attempt's start found there is this
   * worker's to send; none found, the start is decided again. Taking it for another worker's
   * start would leave the message unsent and recorded as cut off.
   */
  private async start(
    notificationId: string,
    channel: (typeof PUSH_CHANNELS)[number],
    by: Worker,
    messageId: string,
  ): Promise<boolean> {
    const command: NotificationCommand = {
      type: 'StartDelivery',
      channel,
      by,
      messageId,
      resendAfterInterruption: channel === 'webhook',
    };
    for (let attempt = 1; ; attempt++) {
      const at = this.options.clock();
      try {
        const events = await this.record(notificationId, command, { at, once: true });
        return events.some(
          (e) => e.type === 'parley.notification.delivery-started.v1' && e.data.by === by,
        );
      } catch (error) {
        if (classifyFailure(error) === 'permanent' || attempt >= 8) throw error;
        this.logger.warn({ err: error, notificationId, channel }, 'recording a start failed');
        if (await this.untilRecorded(() => this.startedAt(notificationId, channel, by, at)))
          return true;
      }
    }
  }

  /** Whether the stream holds the start this worker decided at `at`. */
  private async startedAt(
    notificationId: string,
    channel: Channel,
    by: Worker,
    at: Date,
  ): Promise<boolean> {
    this.known.delete(notificationId);
    const { events } = await this.store.readStream(notificationStream(notificationId));
    const startedAt = at.toISOString();
    return events.some(
      (e) =>
        e.type === 'parley.notification.delivery-started.v1' &&
        e.data.channel === channel &&
        e.data.by === by &&
        e.data.startedAt === startedAt,
    );
  }

  private async recordFailure(
    notificationId: string,
    channel: Channel,
    error: unknown,
  ): Promise<void> {
    const permanent =
      (error instanceof MailDeliveryError || error instanceof WebhookDeliveryError) &&
      error.permanent;
    const message =
      error instanceof MailDeliveryError && error.responseCode
        ? `SMTP ${error.responseCode}: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    this.logger.warn({ notificationId, channel, permanent }, 'delivery failed');
    await this.record(notificationId, {
      type: 'RecordFailure',
      channel,
      error: message,
      permanent,
      maxAttempts: this.options.maxAttempts,
    });
  }

  /**
   * Appends to the ledger, riding out a short outage: an outcome that is known must be kept.
   * `once`: a failure other than a conflict is not tried again, for a caller that must first
   * learn whether the append was taken.
   */
  private async record(
    notificationId: string,
    command: NotificationCommand,
    { at, once = false }: { at?: Date; once?: boolean } = {},
  ): Promise<NotificationEvent[]> {
    const now = at ? () => at : this.options.clock;
    const known = this.known.get(notificationId);
    if (known) {
      // The stream was just read: decide on it and append at its version, without reading again.
      const decision = notificationDecider.decide(command, known.state, now());
      if (!isDomainError(decision)) {
        if (decision.length === 0) return [];
        try {
          const appended = await this.store.append(
            notificationStream(notificationId),
            known.version,
            decision,
            appendContext(),
          );
          this.remember(
            notificationId,
            decision.reduce(
              (state, event) => notificationDecider.evolve(state, event),
              known.state,
            ),
            appended.version,
          );
          countOutcomes(decision);
          return [...decision];
        } catch (error) {
          this.known.delete(notificationId);
          if (once && !(error instanceof ConcurrencyError)) throw error;
        }
      }
      this.known.delete(notificationId);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await handleCommand(
          this.store,
          notificationDecider,
          notificationStream(notificationId),
          command,
          appendContext(),
          { now, retriesOnConflict: 5 },
        );
        if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
        this.remember(notificationId, outcome.state, outcome.version);
        const appended = outcome.events as unknown as NotificationEvent[];
        countOutcomes(appended);
        return appended;
      } catch (error) {
        if (once || attempt >= 8) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 50 * 2 ** attempt)));
      }
    }
  }

  async load(notificationId: string): Promise<NotificationState> {
    const { state, version } = await loadStream(
      this.store,
      notificationDecider,
      notificationStream(notificationId),
    );
    this.remember(notificationId, state, version);
    return state;
  }

  /** The last state and version of streams this process read or wrote (bounded). */
  private remember(notificationId: string, state: NotificationState, version: number): void {
    this.known.delete(notificationId);
    this.known.set(notificationId, { state, version });
    if (this.known.size > 2_000) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }

  private inbox() {
    return this.readModels.db(INBOX).collection<NotificationEntry>('notifications');
  }

  private subscribers() {
    return this.readModels.db(SUBSCRIPTIONS).collection<SubscriberEntry>('subscribers');
  }
}
