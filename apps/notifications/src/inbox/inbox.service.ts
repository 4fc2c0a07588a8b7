import { Inject, Injectable } from '@nestjs/common';
import type {
  Channel,
  InboxQuery,
  InboxResponse,
  NotificationReason,
  NotificationSubject,
  NotificationWhy,
  NotifiedSubject,
} from '@parley/contracts';
import {
  type DomainError,
  type EventStore,
  domainError,
  handleCommand,
  loadState,
} from '@parley/eventstore';
import {
  EVENT_STORE,
  PERSONAL_DATA_OPENER,
  type PersonalDataOpener,
  READ_MODELS,
  showSubjects,
} from '@parley/platform';
import type { Filter, LiveReadModels } from '@parley/readmodel';
import { directoryAccountNames } from '../directory/account-names';
import { NOTIFICATIONS_OPTIONS, type ResolvedNotificationsOptions } from '../notifications.options';
import { notificationStream } from '../shared/ids';
import { type Outcome, appendContext } from '../shared/runtime';
import type { Who } from '../subscriptions/subscriber.decider';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { INBOX, type NotificationEntry } from './inbox.projection';
import { type NotificationState, notificationDecider } from './notification.decider';

export type InboxError = DomainError<'NotificationNotFound' | 'InvalidCursor'>;

/** "Why was I notified?" before its author is named for the reader. */
export type NotificationLedger = Omit<NotificationWhy, 'subject'> & { subject: NotifiedSubject };

export const EXPLANATION: Record<NotificationReason, string> = {
  reply: 'Someone replied to your comment, and you get replies to your comments.',
  branch: 'Someone commented in a thread you follow.',
  post: 'Someone commented on a post whose comments you follow.',
  'post-author': 'Someone commented on a post you wrote.',
  blog: 'A new post was published on a blog you follow.',
  moderation: 'A comment is waiting for moderation, and you moderate comments or wrote the post.',
};

const CHANNEL_ORDER: Channel[] = ['email', 'in-app', 'webhook'];

function encodeCursor(entry: NotificationEntry): string {
  return Buffer.from(JSON.stringify([entry.createdAt, entry._id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string'))
      return [value[0] as string, value[1] as string];
  } catch {
    return null;
  }
  return null;
}

/** An account's inbox (the in-app channel) and the ledger behind every notification. */
@Injectable()
export class InboxService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: LiveReadModels,
    @Inject(NOTIFICATIONS_OPTIONS) private readonly options: ResolvedNotificationsOptions,
    @Inject(PERSONAL_DATA_OPENER) private readonly personalData: PersonalDataOpener,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  async inbox(accountId: string, query: InboxQuery): Promise<Outcome<InboxResponse, InboxError>> {
    const limit = query.limit ?? 20;
    const mine: Filter = { accountId, inApp: true };
    const filter: Filter = { ...mine, ...(query.unread === 'true' ? { readAt: null } : {}) };
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      if (!cursor)
        return { ok: false, error: domainError('InvalidCursor', 'This cursor is not valid') };
      filter.$or = [
        { createdAt: { $lt: cursor[0] } },
        { createdAt: cursor[0], _id: { $lt: cursor[1] } },
      ];
    }
    const collection = this.collection();
    const [page, unreadCount] = await Promise.all([
      collection.find(filter, { sort: { createdAt: -1, _id: -1 }, limit: limit + 1 }),
      collection.count({ ...mine, readAt: null }),
    ]);
    const items = page.slice(0, limit);
    const last = items[items.length - 1];
    // The read model names the author as the event does: named for each answer.
    const subjects = await this.show(items.map((e) => e.subject));
    return {
      ok: true,
      value: {
        items: items.map((e, i) => ({
          id: e._id,
          reason: e.reason,
          subject: subjects[i]!,
          createdAt: e.createdAt,
          readAt: e.readAt,
        })),
        unreadCount,
        nextCursor: page.length > limit && last ? encodeCursor(last) : null,
      },
    };
  }

  async markRead(accountId: string, notificationId: string): Promise<Outcome<void, InboxError>> {
    const state = await this.load(notificationId);
    if (state.notification?.recipient.accountId !== accountId) return this.notFound();
    const outcome = await handleCommand(
      this.store,
      notificationDecider,
      notificationStream(notificationId),
      { type: 'MarkRead' },
      appendContext(),
      { now: this.options.clock },
    );
    return outcome.ok ? { ok: true, value: undefined } : outcome;
  }

  async markAllRead(accountId: string): Promise<number> {
    const unread = await this.collection().find(
      { accountId, inApp: true, readAt: null },
      { limit: 500 },
    );
    let marked = 0;
    for (const entry of unread) {
      const outcome = await handleCommand(
        this.store,
        notificationDecider,
        notificationStream(entry._id),
        { type: 'MarkRead' },
        appendContext(),
        { now: this.options.clock },
      );
      if (outcome.ok && outcome.events.length > 0) marked += 1;
    }
    return marked;
  }

  /** "Why was I notified?", from the notification's own stream: the ledger as it is now. */
  async why(who: Who, notificationId: string): Promise<Outcome<NotificationWhy, InboxError>> {
    const why = await this.ledger(who, notificationId);
    if (!why.ok) return why;
    const [subject] = await this.show([why.value.subject]);
    return { ok: true, value: { ...why.value, subject: subject! } };
  }

  /** The subjects as a reader is shown them: an account author's current name, a guest's opened. */
  private show(subjects: readonly NotifiedSubject[]): Promise<NotificationSubject[]> {
    return showSubjects(subjects, {
      opener: this.personalData,
      accountNames: directoryAccountNames(this.readModels),
    });
  }

  /** What `why` answers, with the author named as the event names them (a guest's name sealed). */
  async ledger(who: Who, notificationId: string): Promise<Outcome<NotificationLedger, InboxError>> {
    const state = await this.load(notificationId);
    const n = state.notification;
    if (!n || n.recipient.subscriberId !== who.subscriberId) return this.notFound();
    let subscription: NotificationWhy['subscription'] = null;
    if (n.subscriptionId !== null) {
      const subscriber = await this.subscriptions.load(who.subscriberId);
      const known = subscriber.subscriptions[n.subscriptionId];
      subscription = known
        ? { id: known.id, kind: known.kind, targetId: known.targetId }
        : {
            id: n.subscriptionId,
            kind: n.reason === 'reply' ? 'replies' : n.reason === 'blog' ? 'blog' : 'post',
            targetId: n.reason === 'reply' || n.reason === 'blog' ? null : n.subject.postId,
          };
    }
    return {
      ok: true,
      value: {
        id: n.notificationId,
        reason: n.reason,
        explanation: EXPLANATION[n.reason],
        subscription,
        subject: n.subject,
        causeEventId: n.causeEventId,
        createdAt: n.createdAt,
        readAt: state.readAt,
        channels: CHANNEL_ORDER.flatMap((channel) => {
          const c = state.channels[channel];
          return c
            ? [
                {
                  channel,
                  state: c.status,
                  reason: c.reason,
                  attempts: c.attempts,
                  messageId: c.messageId,
                  digestId: c.digestId,
                  updatedAt: c.updatedAt,
                },
              ]
            : [];
        }),
      },
    };
  }

  private async load(notificationId: string): Promise<NotificationState> {
    if (!/^ntf-[0-9a-f]{32}$/.test(notificationId)) return notificationDecider.initialState;
    return loadState(this.store, notificationDecider, notificationStream(notificationId));
  }

  private notFound<T>(): Outcome<T, InboxError> {
    return {
      ok: false,
      error: domainError('NotificationNotFound', 'There is no such notification'),
    };
  }

  private collection() {
    return this.readModels.db(INBOX).collection<NotificationEntry>('notifications');
  }
}
