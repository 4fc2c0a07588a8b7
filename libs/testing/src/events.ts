import type { DomainEvent } from '@parley/contracts';
import { toEnvelopes } from '@parley/eventstore';
import { eventToMessage } from '@parley/messaging';
import type { MessageBus } from '@parley/messaging';

/**
 * Publishes events of another service on its topic, as that service's relay would:
 * CloudEvents headers, keyed by stream, with stream versions from `fromVersion`.
 */
export async function publishEvents(
  bus: MessageBus,
  topic: string,
  source: string,
  streamId: string,
  events: readonly DomainEvent[],
  fromVersion = 1,
  correlationId = 'test-correlation',
): Promise<void> {
  const envelopes = toEnvelopes(
    source,
    streamId,
    fromVersion,
    events,
    { correlationId, causationId: null },
    new Date(),
  );
  await bus.publisher().publish([{ topic, messages: envelopes.map(eventToMessage) }]);
}
