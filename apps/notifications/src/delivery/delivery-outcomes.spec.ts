import { metrics, registry } from '@parley/observability';
import type { NotificationEvent } from '../inbox/notification.decider';
import { countOutcomes } from './delivery-outcomes';

const at = '2025-01-01T00:00:00.000Z';

function outcomeEvents(): NotificationEvent[] {
  return [
    {
      type: 'parley.notification.delivery-started.v1',
      data: {
        notificationId: 'n1',
        channel: 'email',
        attempt: 1,
        by: 'delivery',
        messageId: null,
        startedAt: at,
      },
    },
    {
      type: 'parley.notification.delivered.v1',
      data: {
        notificationId: 'n1',
        channel: 'email',
        messageId: '<n1@blog.example>',
        deliveredAt: at,
      },
    },
    {
      type: 'parley.notification.delivery-failed.v1',
      data: {
        notificationId: 'n2',
        channel: 'webhook',
        attempt: 1,
        error: 'HTTP 503',
        permanent: false,
        failedAt: at,
      },
    },
    {
      type: 'parley.notification.delivery-failed.v1',
      data: {
        notificationId: 'n2',
        channel: 'webhook',
        attempt: 8,
        error: 'HTTP 503',
        permanent: true,
        failedAt: at,
      },
    },
    {
      type: 'parley.notification.suppressed.v1',
      data: { notificationId: 'n3', channel: 'email', reason: 'paused', suppressedAt: at },
    },
    {
      type: 'parley.notification.batched.v1',
      data: { notificationId: 'n4', channel: 'email', digestId: 'd1', batchedAt: at },
    },
  ];
}

describe('delivery outcomes in parley_notifications_total', () => {
  beforeEach(() => metrics.notifications.reset());

  it('counts sent, retried, failed, suppressed and batched per channel, and nothing else', async () => {
    countOutcomes(outcomeEvents());
    const text = await registry.metrics();
    const series = text
      .split('\n')
      .filter((line) => line.startsWith('parley_notifications_total{'))
      .sort();
    expect(series).toEqual(
      [
        'parley_notifications_total{service="notifications",channel="email",outcome="sent"} 1',
        'parley_notifications_total{service="notifications",channel="webhook",outcome="retrying"} 1',
        'parley_notifications_total{service="notifications",channel="webhook",outcome="failed"} 1',
        'parley_notifications_total{service="notifications",channel="email",outcome="suppressed"} 1',
        'parley_notifications_total{service="notifications",channel="email",outcome="batched"} 1',
      ].sort(),
    );
  });
});
