import type {
  Channel,
  ChannelLedger,
  NotificationReason,
  NotifiedAuthor,
  NotifiedSubject,
} from '@parley/contracts';
import {
  type Projection,
  type Versioned,
  applyToOwnedDocument,
  updateEach,
} from '@parley/readmodel';
import { digestOf } from '../shared/digest-period';
import { channelOutcome } from './notification.decider';

export interface NotificationEntry extends Versioned {
  subscriberId: string;
  accountId: string | null;
  reason: NotificationReason;
  subscriptionId: string | null;
  /** The author named as the event names them: shown with an account's current name. */
  subject: NotifiedSubject;
  causeEventId: string;
  createdAt: string;
  readAt: string | null;
  /** In an account's inbox (the in-app channel). */
  inApp: boolean;
  ledger: ChannelLedger[];
  /** A channel failed and will be tried again (the scheduler looks for these). */
  retrying: boolean;
  /** When the digest holding this notification's mail is due; null when none waits. */
  digestDueAt: string | null;
}

export const INBOX = 'inbox';

function updateChannel(
  entry: Omit<NotificationEntry, '_v'>,
  channel: Channel,
  change: Partial<ChannelLedger> & { updatedAt: string },
): Omit<NotificationEntry, '_v'> {
  const ledger = entry.ledger.map((c) => (c.channel === channel ? { ...c, ...change } : c));
  const digestWaits = ledger.some((c) => c.channel === 'email' && c.state === 'batched');
  return {
    ...entry,
    ledger,
    retrying: ledger.some((c) => c.state === 'retrying'),
    digestDueAt: digestWaits ? entry.digestDueAt : null,
  };
}

/** Every notification with its delivery ledger: the inbox of accounts and "why was I notified?". */
export const inboxProjection: Projection<'notifications' | 'comments'> = {
  name: INBOX,
  topics: ['notifications', 'comments'],
  collections: {
    notifications: [
      // An account's in-app inbox, newest first, and its unread ones.
      { keys: { accountId: 1, inApp: 1, createdAt: -1, _id: -1 } },
      { keys: { accountId: 1, inApp: 1, readAt: 1 } },
      { keys: { retrying: 1 } },
      { keys: { digestDueAt: 1 } },
      // The export of a person's data: everything one subscriber was sent, newest first; and
      // erasures: a subscriber's notifications (the same index), and those telling of an erased author's comment.
      { keys: { subscriberId: 1, createdAt: -1, _id: -1 } },
      { keys: { 'subject.commentId': 1 } },
    ],
  },
  async apply(event, db) {
    const notifications = db.collection<NotificationEntry>('notifications');
    switch (event.type) {
      case 'parley.notification.created.v3': {
        const d = event.data;
        await applyToOwnedDocument<NotificationEntry>(
          notifications,
          d.notificationId,
          event,
          () => ({
            _id: d.notificationId,
            subscriberId: d.recipient.subscriberId,
            accountId: d.recipient.accountId,
            reason: d.reason,
            subscriptionId: d.subscriptionId,
            subject: d.subject,
            causeEventId: d.causeEventId,
            createdAt: d.createdAt,
            readAt: null,
            inApp: d.channels.includes('in-app') && d.recipient.accountId !== null,
            ledger: d.channels.map((channel) => ({
              channel,
              state: 'queued',
              reason: null,
              attempts: 0,
              messageId: null,
              digestId: null,
              updatedAt: d.createdAt,
            })),
            retrying: false,
            digestDueAt: null,
          }),
        );
        return;
      }
      case 'parley.notification.delivered.v1':
      case 'parley.notification.delivery-failed.v1':
      case 'parley.notification.suppressed.v1':
      case 'parley.notification.batched.v1':
      case 'parley.notification.read.v1': {
        const id = event.data.notificationId;
        await applyToOwnedDocument<NotificationEntry>(notifications, id, event, (current) => {
          if (!current) return null;
          switch (event.type) {
            case 'parley.notification.delivered.v1':
            case 'parley.notification.delivery-failed.v1':
            case 'parley.notification.suppressed.v1':
            case 'parley.notification.batched.v1': {
              const { channel, change } = channelOutcome(event);
              const { status, ...rest } = change;
              const moved = updateChannel(current, channel, { ...rest, state: status });
              if (event.type !== 'parley.notification.batched.v1') return moved;
              const frequency = event.data.digestId.startsWith('dg-daily') ? 'daily' : 'hourly';
              return {
                ...moved,
                digestDueAt: digestOf(current.subscriberId, frequency, current.createdAt).dueAt,
              };
            }
            case 'parley.notification.read.v1':
              return { ...current, readAt: event.data.readAt };
          }
        });
        return;
      }
      case 'parley.subscriber.subscribed.v2':
      case 'parley.subscriber.confirmation-requested.v2':
      case 'parley.subscriber.confirmation-mailed.v1':
      case 'parley.subscriber.confirmed.v1':
      case 'parley.subscriber.preferences-changed.v1':
      case 'parley.subscriber.unsubscribed.v1':
      case 'parley.subscriber.paused.v1':
      case 'parley.subscriber.resumed.v1':
      case 'parley.subscriber.webhook-registered.v1':
      case 'parley.subscriber.webhook-removed.v1':
        return;
      case 'parley.subscriber.erased.v1':
        // Nobody's inbox any more: what was sent to them stays out of every list.
        await updateEach(
          notifications,
          { subscriberId: event.data.subscriberId },
          { $set: { inApp: false, retrying: false, digestDueAt: null } },
        );
        return;
      case 'parley.comment.author-erased.v1': {
        const { commentId, mode } = event.data;
        await updateEach(
          notifications,
          { 'subject.commentId': commentId },
          {
            $set: {
              'subject.author': { kind: 'erased' } satisfies NotifiedAuthor,
              ...(mode === 'remove' ? { 'subject.excerpt': '' } : {}),
            },
          },
        );
        return;
      }
      case 'parley.comment.posted.v3':
      case 'parley.comment.approved.v1':
      case 'parley.comment.unapproved.v1':
      case 'parley.comment.marked-spam.v1':
      case 'parley.comment.trashed.v1':
      case 'parley.comment.restored.v1':
      case 'parley.comment.edited.v1':
      case 'parley.comment.deleted.v1':
      case 'parley.comment.liked.v1':
      case 'parley.comment.unliked.v1':
      case 'parley.comment-settings.changed.v1':
        return;
    }
  },
};
