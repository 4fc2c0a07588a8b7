import { randomUUID } from 'node:crypto';
import type { AnyEvent, DomainEvent } from '@parley/contracts';
import { type Commit, commitId, toEnvelopes } from '@parley/eventstore';
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

/** An event as an old log stored it: a type and data the stores no longer write. */
export interface StoredEvent {
  type: string;
  data: Record<string, unknown>;
}

/**
 * The commit of events as a log written by an older Parley holds them (versions it reads by
 * upcasting, which the stores write no more), to import into a store as they were.
 */
export function oldCommit(
  source: string,
  streamId: string,
  version: number,
  events: readonly StoredEvent[],
  time: string,
): Commit {
  const stored = events.map(
    (event, index) =>
      ({
        specversion: '1.0',
        id: randomUUID(),
        source,
        type: event.type,
        subject: streamId,
        time,
        datacontenttype: 'application/json',
        streamVersion: version + index,
        correlationId: `old-${streamId}`,
        causationId: null,
        data: event.data,
      }) as unknown as AnyEvent,
  );
  return {
    id: commitId(streamId, version),
    streamId,
    version,
    lastVersion: version + events.length - 1,
    events: stored,
    committedAt: new Date(time),
  };
}
