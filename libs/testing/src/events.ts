import type { AnyEvent, DomainEvent } from '@parley/contracts';
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

/** Envelopes for events of one stream, numbered as the owning service's store would number them. */
export class StreamWriter {
  private version = 0;

  constructor(
    readonly streamId: string,
    private readonly source: string,
    private readonly time: () => Date = () => new Date('2026-11-24T12:00:00.000Z'),
  ) {}

  next(...events: DomainEvent[]): AnyEvent[] {
    const envelopes = toEnvelopes(
      this.source,
      this.streamId,
      this.version + 1,
      events,
      { correlationId: 'test', causationId: null },
      this.time(),
    );
    this.version += events.length;
    return envelopes;
  }
}
