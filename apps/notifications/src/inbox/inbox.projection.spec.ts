import type { AnyEvent, DomainEvent, TopicEvent } from '@parley/contracts';
import { toEnvelopes } from '@parley/eventstore';
import { GenerationDb, MemoryDocumentStore } from '@parley/readmodel';
import { digestOf } from '../shared/digest-period';
import {
  type SubscriptionEntry,
  subscriptionsProjection,
} from '../subscriptions/subscriptions.projection';
import { type NotificationEntry, inboxProjection } from './inbox.projection';
import { type NotificationEvent, notificationDecider } from './notification.decider';

const at = '2026-11-24T12:10:00.000Z';
const context = { correlationId: 'spec', causationId: null };

function envelopes(streamId: string, events: DomainEvent[]): AnyEvent[] {
  return toEnvelopes('/parley/notifications', streamId, 1, events, context, new Date(at));
}

const created: DomainEvent = {
  type: 'parley.notification.created.v3',
  data: {
    notificationId: 'ntf-1',
    recipient: { subscriberId: 'subscriber-bo', accountId: 'bo' },
    reason: 'post',
    subscriptionId: 'sub-1',
    subject: {
      kind: 'comment',
      commentId: 'c1',
      postId: 'p1',
      postTitle: 'Hello',
      postSlug: 'hello',
      author: { kind: 'account', accountId: 'cy' },
      excerpt: 'Hi',
      parentId: null,
    },
    causeEventId: 'e1',
    channels: ['email', 'in-app'],
    frequency: 'hourly',
    createdAt: at,
  },
};

describe('the inbox projection', () => {
  it('keeps each channel of the ledger, the digest due time and the read mark, the same when replayed', async () => {
    const db = new GenerationDb(new MemoryDocumentStore(), inboxProjection, 1);
    const { digestId, dueAt } = digestOf('subscriber-bo', 'hourly', at);
    const events = envelopes('notification-ntf-1', [
      created,
      {
        type: 'parley.notification.delivered.v1',
        data: { notificationId: 'ntf-1', channel: 'in-app', messageId: null, deliveredAt: at },
      },
      {
        type: 'parley.notification.batched.v1',
        data: { notificationId: 'ntf-1', channel: 'email', digestId, batchedAt: at },
      },
      { type: 'parley.notification.read.v1', data: { notificationId: 'ntf-1', readAt: at } },
    ]);
    for (const event of [...events, ...events])
      await inboxProjection.apply(event as TopicEvent<'notifications'>, db);
    const entry = await db.collection<NotificationEntry>('notifications').findOne({ _id: 'ntf-1' });
    expect(entry).toMatchObject({
      accountId: 'bo',
      inApp: true,
      readAt: at,
      digestDueAt: dueAt,
      retrying: false,
    });
    expect(dueAt).toBe('2026-11-24T13:00:00.000Z');
    expect(entry?.ledger.map((c) => [c.channel, c.state])).toEqual([
      ['email', 'batched'],
      ['in-app', 'sent'],
    ]);
  });
  it('shows each channel as the notification has it after failures, retries and suppression', async () => {
    const db = new GenerationDb(new MemoryDocumentStore(), inboxProjection, 1);
    const outcomes: NotificationEvent[] = [
      {
        type: 'parley.notification.delivery-failed.v1',
        data: {
          notificationId: 'ntf-1',
          channel: 'email',
          error: 'mailbox busy',
          attempt: 1,
          permanent: false,
          failedAt: at,
        },
      },
      {
        type: 'parley.notification.suppressed.v1',
        data: { notificationId: 'ntf-1', channel: 'in-app', reason: 'paused', suppressedAt: at },
      },
    ];
    const history = [created as NotificationEvent, ...outcomes];
    for (const event of envelopes('notification-ntf-1', history))
      await inboxProjection.apply(event as TopicEvent<'notifications'>, db);
    const entry = await db.collection<NotificationEntry>('notifications').findOne({ _id: 'ntf-1' });
    const state = history.reduce(notificationDecider.evolve, notificationDecider.initialState);

    expect(entry?.retrying).toBe(true);
    expect(entry?.ledger.map((c) => [c.channel, c.state, c.reason, c.attempts])).toEqual([
      ['email', 'retrying', 'mailbox busy', 1],
      ['in-app', 'suppressed', 'paused', 0],
    ]);
    expect(entry?.ledger.map((c) => [c.channel, c.state, c.reason, c.attempts])).toEqual(
      Object.entries(state.channels).map(([channel, c]) => [
        channel,
        c.status,
        c.reason,
        c.attempts,
      ]),
    );
  });
});

describe('the subscriptions projection', () => {
  it('lists a subscription once, and flags it when it is stopped', async () => {
    const db = new GenerationDb(new MemoryDocumentStore(), subscriptionsProjection, 1);
    const events = envelopes('subscriber-bo', [
      {
        type: 'parley.subscriber.subscribed.v2',
        data: {
          subscriberId: 'subscriber-bo',
          subscriptionId: 'sub-1',
          subscriber: { kind: 'account', accountId: 'bo' },
          kind: 'post',
          targetId: 'p1',
          channels: ['email'],
          frequency: 'immediate',
          subscribedAt: at,
        },
      },
      {
        type: 'parley.subscriber.unsubscribed.v1',
        data: {
          subscriberId: 'subscriber-bo',
          subscriptionId: 'sub-1',
          via: 'one-click',
          unsubscribedAt: at,
        },
      },
    ]);
    for (const event of [...events, events[0]!])
      await subscriptionsProjection.apply(event as TopicEvent<'notifications'>, db);
    const all = await db.collection<SubscriptionEntry>('subscriptions').find({});
    expect(all.map((s) => [s._id, s.active])).toEqual([['sub-1', false]]);
  });
});
