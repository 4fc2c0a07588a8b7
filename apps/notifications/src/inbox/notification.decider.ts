import type { Channel, DomainEvent, EventData, NotificationSubject } from '@parley/contracts';
import { type Decider, type DomainError, assertNever, domainError } from '@parley/eventstore';

export type NotificationEvent = DomainEvent<
  | 'parley.notification.created.v3'
  | 'parley.notification.delivery-started.v1'
  | 'parley.notification.delivered.v1'
  | 'parley.notification.delivery-failed.v1'
  | 'parley.notification.suppressed.v1'
  | 'parley.notification.batched.v1'
  | 'parley.notification.read.v1'
>;

export type NotificationData = EventData<'parley.notification.created.v3'>;

/** A notification as mail, webhooks and the inbox show it: its author named for the reader. */
export type ShownNotification = Omit<NotificationData, 'subject'> & {
  subject: NotificationSubject;
};

export type ChannelStatus =
  'queued' | 'sending' | 'sent' | 'batched' | 'suppressed' | 'retrying' | 'failed';

export interface ChannelState {
  status: ChannelStatus;
  reason: string | null;
  attempts: number;
  messageId: string | null;
  digestId: string | null;
  startedBy: 'delivery' | 'scheduler' | null;
  updatedAt: string;
}

export interface NotificationState {
  notification: NotificationData | null;
  channels: Partial<Record<Channel, ChannelState>>;
  readAt: string | null;
}

export type Worker = 'delivery' | 'scheduler';

export type NotificationCommand =
  | { type: 'Create'; notification: NotificationData }
  | {
      type: 'StartDelivery';
      channel: Channel;
      by: Worker;
      messageId: string | null;
      /** Webhooks may be sent again after a crash (receivers dedupe by id); mail must not. */
      resendAfterInterruption: boolean;
    }
  | { type: 'RecordDelivered'; channel: Channel; messageId: string | null }
  | {
      type: 'RecordFailure';
      channel: Channel;
      error: string;
      permanent: boolean;
      maxAttempts: number;
    }
  | { type: 'Suppress'; channel: Channel; reason: string }
  | { type: 'Batch'; channel: Channel; digestId: string }
  | { type: 'MarkRead' };

export type NotificationError = DomainError<'NotificationNotFound'>;

export const INTERRUPTED =
  'interrupted after the message was handed to the server; not sent again, so that it never arrives twice';

export const initialNotification: NotificationState = {
  notification: null,
  channels: {},
  readAt: null,
};

const TERMINAL: ReadonlySet<ChannelStatus> = new Set(['sent', 'suppressed', 'failed']);

/** A channel before any attempt. */
function queued(at: string): ChannelState {
  return {
    status: 'queued',
    reason: null,
    attempts: 0,
    messageId: null,
    digestId: null,
    startedBy: null,
    updatedAt: at,
  };
}

function withChannel(
  state: NotificationState,
  channel: Channel,
  change: Partial<ChannelState> & { updatedAt: string },
): NotificationState {
  const current = state.channels[channel] ?? queued(change.updatedAt);
  return { ...state, channels: { ...state.channels, [channel]: { ...current, ...change } } };
}

type DeliveryOutcome = Extract<
  NotificationEvent,
  {
    type:
      | 'parley.notification.delivered.v1'
      | 'parley.notification.delivery-failed.v1'
      | 'parley.notification.suppressed.v1'
      | 'parley.notification.batched.v1';
  }
>;

export type ChannelChange = Partial<Omit<ChannelState, 'status' | 'startedBy'>> & {
  status: ChannelStatus;
  updatedAt: string;
};

/** What an outcome does to its channel's line of the ledger, for the aggregate and the inbox alike. */
export function channelOutcome(event: DeliveryOutcome): {
  channel: Channel;
  change: ChannelChange;
} {
  const { channel } = event.data;
  switch (event.type) {
    case 'parley.notification.delivered.v1':
      return {
        channel,
        change: {
          status: 'sent',
          reason: null,
          messageId: event.data.messageId,
          updatedAt: event.data.deliveredAt,
        },
      };
    case 'parley.notification.delivery-failed.v1':
      return {
        channel,
        change: {
          status: event.data.permanent ? 'failed' : 'retrying',
          reason: event.data.error,
          attempts: event.data.attempt,
          updatedAt: event.data.failedAt,
        },
      };
    case 'parley.notification.suppressed.v1':
      return {
        channel,
        change: {
          status: 'suppressed',
          reason: event.data.reason,
          updatedAt: event.data.suppressedAt,
        },
      };
    case 'parley.notification.batched.v1':
      return {
        channel,
        change: {
          status: 'batched',
          digestId: event.data.digestId,
          updatedAt: event.data.batchedAt,
        },
      };
    default:
      return assertNever(event, 'delivery outcome');
  }
}

/**
 * One notification of one person: who, why, about what, and each channel's delivery.
 * Its stream is the delivery ledger: a channel is sent at most once, and a send that
 * started without a recorded outcome is never repeated for mail.
 */
export const notificationDecider: Decider<
  NotificationState,
  NotificationCommand,
  NotificationEvent,
  NotificationError
> = {
  initialState: initialNotification,
  evolve(state, event) {
    switch (event.type) {
      case 'parley.notification.created.v3': {
        const channels: Partial<Record<Channel, ChannelState>> = {};
        for (const channel of event.data.channels) channels[channel] = queued(event.data.createdAt);
        return { ...state, notification: event.data, channels };
      }
      case 'parley.notification.delivery-started.v1':
        return withChannel(state, event.data.channel, {
          status: 'sending',
          attempts: event.data.attempt,
          startedBy: event.data.by,
          messageId: event.data.messageId,
          updatedAt: event.data.startedAt,
        });
      case 'parley.notification.delivered.v1':
      case 'parley.notification.delivery-failed.v1':
      case 'parley.notification.suppressed.v1':
      case 'parley.notification.batched.v1': {
        const { channel, change } = channelOutcome(event);
        return withChannel(state, channel, change);
      }
      case 'parley.notification.read.v1':
        return { ...state, readAt: event.data.readAt };
      default:
        return assertNever(event, 'notification event');
    }
  },
  decide(command, state, now) {
    const at = now.toISOString();
    if (command.type === 'Create') {
      if (state.notification) return [];
      const created: NotificationEvent = {
        type: 'parley.notification.created.v3',
        data: command.notification,
      };
      if (!command.notification.channels.includes('in-app')) return [created];
      const { notificationId, recipient } = command.notification;
      // The inbox is the in-app channel: the notification is there as soon as it exists.
      const inApp: NotificationEvent =
        recipient.accountId !== null
          ? {
              type: 'parley.notification.delivered.v1',
              data: { notificationId, channel: 'in-app', messageId: null, deliveredAt: at },
            }
          : {
              type: 'parley.notification.suppressed.v1',
              data: { notificationId, channel: 'in-app', reason: 'no-account', suppressedAt: at },
            };
      return [created, inApp];
    }
    const notification = state.notification;
    if (!notification) return domainError('NotificationNotFound', 'There is no such notification');
    const { notificationId } = notification;
    if (command.type === 'MarkRead') {
      if (state.readAt !== null) return [];
      return [{ type: 'parley.notification.read.v1', data: { notificationId, readAt: at } }];
    }
    const channel = state.channels[command.channel];
    if (!channel) return [];
    switch (command.type) {
      case 'StartDelivery': {
        const start: NotificationEvent = {
          type: 'parley.notification.delivery-started.v1',
          data: {
            notificationId,
            channel: command.channel,
            attempt: channel.attempts + 1,
            by: command.by,
            messageId: command.messageId,
            startedAt: at,
          },
        };
        if (channel.status === 'sending') {
          // Another worker of the other kind is on it; the same kind only finds it again after a crash.
          if (channel.startedBy !== command.by) return [];
          if (command.resendAfterInterruption) return [start];
          return [
            {
              type: 'parley.notification.delivery-failed.v1',
              data: {
                notificationId,
                channel: command.channel,
                attempt: channel.attempts,
                error: INTERRUPTED,
                permanent: true,
                failedAt: at,
              },
            },
          ];
        }
        if (TERMINAL.has(channel.status)) return [];
        return [start];
      }
      case 'RecordDelivered':
        if (channel.status === 'sent') return [];
        return [
          {
            type: 'parley.notification.delivered.v1',
            data: {
              notificationId,
              channel: command.channel,
              messageId: command.messageId,
              deliveredAt: at,
            },
          },
        ];
      case 'RecordFailure':
        if (TERMINAL.has(channel.status)) return [];
        return [
          {
            type: 'parley.notification.delivery-failed.v1',
            data: {
              notificationId,
              channel: command.channel,
              attempt: Math.max(1, channel.attempts),
              error: command.error.slice(0, 500),
              permanent: command.permanent || channel.attempts >= command.maxAttempts,
              failedAt: at,
            },
          },
        ];
      case 'Suppress':
        if (TERMINAL.has(channel.status) || channel.status === 'sending') return [];
        return [
          {
            type: 'parley.notification.suppressed.v1',
            data: {
              notificationId,
              channel: command.channel,
              reason: command.reason,
              suppressedAt: at,
            },
          },
        ];
      case 'Batch':
        if (channel.status !== 'queued') return [];
        return [
          {
            type: 'parley.notification.batched.v1',
            data: {
              notificationId,
              channel: command.channel,
              digestId: command.digestId,
              batchedAt: at,
            },
          },
        ];
      default:
        return assertNever(command, 'notification command');
    }
  },
};
