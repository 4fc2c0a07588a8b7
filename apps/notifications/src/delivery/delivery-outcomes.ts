import { assertNever } from '@parley/eventstore';
import { metrics } from '@parley/observability';
import type { NotificationEvent } from '../inbox/notification.decider';

export type DeliveryOutcome = 'sent' | 'failed' | 'retrying' | 'suppressed' | 'batched';

/** What a ledger event says happened to one channel of a notification, if it is an outcome. */
export function outcomeOf(
  event: NotificationEvent,
): { channel: string; outcome: DeliveryOutcome } | undefined {
  switch (event.type) {
    case 'parley.notification.delivered.v1':
      return { channel: event.data.channel, outcome: 'sent' };
    case 'parley.notification.delivery-failed.v1':
      return { channel: event.data.channel, outcome: event.data.permanent ? 'failed' : 'retrying' };
    case 'parley.notification.suppressed.v1':
      return { channel: event.data.channel, outcome: 'suppressed' };
    case 'parley.notification.batched.v1':
      return { channel: event.data.channel, outcome: 'batched' };
    case 'parley.notification.created.v3':
    case 'parley.notification.delivery-started.v1':
    case 'parley.notification.read.v1':
      return undefined;
    default:
      return assertNever(event, 'notification event');
  }
}

/**
 * Counts the outcomes among events this process has just appended to the ledger: the append
 * is what wins a race between workers, so each outcome is counted once across replicas.
 */
export function countOutcomes(events: readonly NotificationEvent[]): void {
  for (const event of events) {
    const outcome = outcomeOf(event);
    if (outcome) metrics.notifications.inc({ service: 'notifications', ...outcome });
  }
}
