import { deciderSpec } from '@parley/testing';
import {
  INTERRUPTED,
  type NotificationData,
  type NotificationEvent,
  notificationDecider,
} from './notification.decider';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const at = NOW.toISOString();
const spec = deciderSpec(notificationDecider, () => NOW);

const data: NotificationData = {
  notificationId: 'ntf-1',
  recipient: { subscriberId: 'subscriber-bo', accountId: 'bo' },
  reason: 'reply',
  subscriptionId: 'sub-1',
  subject: {
    kind: 'comment',
    commentId: 'c2',
    postId: 'p1',
    postTitle: 'Hello',
    postSlug: 'hello',
    author: { kind: 'account', accountId: 'cy' },
    excerpt: 'Indeed',
    parentId: 'c1',
  },
  causeEventId: 'e1',
  channels: ['email', 'in-app'],
  frequency: 'immediate',
  createdAt: at,
};
const created: NotificationEvent = { type: 'parley.notification.created.v3', data };
const inApp: NotificationEvent = {
  type: 'parley.notification.delivered.v1',
  data: { notificationId: 'ntf-1', channel: 'in-app', messageId: null, deliveredAt: at },
};
const started = (
  attempt: number,
  by: 'delivery' | 'scheduler' = 'delivery',
): NotificationEvent => ({
  type: 'parley.notification.delivery-started.v1',
  data: {
    notificationId: 'ntf-1',
    channel: 'email',
    attempt,
    by,
    messageId: '<ntf-1@x>',
    startedAt: at,
  },
});
const delivered: NotificationEvent = {
  type: 'parley.notification.delivered.v1',
  data: { notificationId: 'ntf-1', channel: 'email', messageId: '<ntf-1@x>', deliveredAt: at },
};
const emailFailed = (attempt: number, error: string, permanent: boolean): NotificationEvent => ({
  type: 'parley.notification.delivery-failed.v1',
  data: { notificationId: 'ntf-1', channel: 'email', attempt, error, permanent, failedAt: at },
});
const startEmail = {
  type: 'StartDelivery' as const,
  channel: 'email' as const,
  by: 'delivery' as const,
  messageId: '<ntf-1@x>',
  resendAfterInterruption: false,
};

describe('a notification and its delivery ledger', () => {
  it('is created once per cause and recipient, in the inbox at once', () => {
    spec.given([]).when({ type: 'Create', notification: data }).then([created, inApp]);
    spec.given([created, inApp]).when({ type: 'Create', notification: data }).then([]);
  });

  it('suppresses the in-app channel of a guest', () => {
    const guest = {
      ...data,
      recipient: { subscriberId: 'subscriber-guest-x', accountId: null },
    };
    spec
      .given([])
      .when({ type: 'Create', notification: guest })
      .then([
        { type: 'parley.notification.created.v3', data: guest },
        {
          type: 'parley.notification.suppressed.v1',
          data: {
            notificationId: 'ntf-1',
            channel: 'in-app',
            reason: 'no-account',
            suppressedAt: at,
          },
        },
      ]);
  });

  it('records an attempt before sending, and nothing more once the mail is sent', () => {
    spec
      .given([created, inApp])
      .when(startEmail)
      .then([started(1)]);
    spec
      .given([created, inApp, started(1), delivered])
      .when(startEmail)
      .then([]);
    spec
      .given([created, inApp, started(1), delivered])
      .when({ type: 'RecordDelivered', channel: 'email', messageId: '<ntf-1@x>' })
      .then([]);
  });

  it('never sends a mail again whose attempt was cut off by a crash', () => {
    spec
      .given([created, inApp, started(1)])
      .when(startEmail)
      .then([emailFailed(1, INTERRUPTED, true)]);
  });

  it('sends a webhook again after a crash (receivers dedupe by its id)', () => {
    const hook = { ...data, channels: ['webhook' as const] };
    const hookStarted: NotificationEvent = {
      type: 'parley.notification.delivery-started.v1',
      data: {
        notificationId: 'ntf-1',
        channel: 'webhook',
        attempt: 1,
        by: 'delivery',
        messageId: 'ntf-1',
        startedAt: at,
      },
    };
    spec
      .given([{ type: 'parley.notification.created.v3', data: hook }, hookStarted])
      .when({
        ...startEmail,
        channel: 'webhook',
        messageId: 'ntf-1',
        resendAfterInterruption: true,
      })
      .then([{ ...hookStarted, data: { ...hookStarted.data, attempt: 2 } }]);
  });

  it('leaves an attempt of the scheduler to the scheduler', () => {
    spec
      .given([created, inApp, started(1, 'scheduler')])
      .when(startEmail)
      .then([]);
  });

  it('retries a transient failure until the attempts run out, then gives up for good', () => {
    const failure = {
      type: 'RecordFailure' as const,
      channel: 'email' as const,
      error: 'SMTP 451',
      permanent: false,
      maxAttempts: 2,
    };
    const first = emailFailed(1, 'SMTP 451', false);
    spec
      .given([created, inApp, started(1)])
      .when(failure)
      .then([first]);
    spec
      .given([created, inApp, started(1), first])
      .when({ ...startEmail, by: 'scheduler' })
      .then([started(2, 'scheduler')]);
    spec
      .given([created, inApp, started(1), first, started(2, 'scheduler')])
      .when(failure)
      .then([emailFailed(2, 'SMTP 451', true)]);
  });

  it('batches an email into a digest only while it is queued', () => {
    const batched: NotificationEvent = {
      type: 'parley.notification.batched.v1',
      data: { notificationId: 'ntf-1', channel: 'email', digestId: 'dg-1', batchedAt: at },
    };
    spec
      .given([created, inApp])
      .when({ type: 'Batch', channel: 'email', digestId: 'dg-1' })
      .then([batched]);
    spec
      .given([created, inApp, batched])
      .when({ type: 'Batch', channel: 'email', digestId: 'dg-1' })
      .then([]);
  });

  it('is read once, and only when it exists', () => {
    const read: NotificationEvent = {
      type: 'parley.notification.read.v1',
      data: { notificationId: 'ntf-1', readAt: at },
    };
    spec.given([created, inApp]).when({ type: 'MarkRead' }).then([read]);
    spec.given([created, inApp, read]).when({ type: 'MarkRead' }).then([]);
    spec.given([]).when({ type: 'MarkRead' }).thenError('NotificationNotFound');
  });
});
