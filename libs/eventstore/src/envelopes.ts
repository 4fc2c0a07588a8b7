import { randomUUID } from 'node:crypto';
import {
  type AnyEvent,
  type DomainEvent,
  EVENT_SCHEMAS,
  EventSchemaError,
  isEventType,
  parseEvent,
} from '@parley/contracts';
import { currentTraceparent } from '@parley/observability';
import type { AppendContext } from './event-store.port';

/** Wraps a decider's events in envelopes: ids, time, stream versions, correlation. */
export function toEnvelopes(
  source: string,
  streamId: string,
  fromVersion: number,
  events: readonly DomainEvent[],
  context: AppendContext,
  now: Date,
): AnyEvent[] {
  const time = now.toISOString();
  for (const event of events) assertValid(event);
  const traceparent = currentTraceparent();
  return events.map(
    (event, index) =>
      ({
        specversion: '1.0',
        id: randomUUID(),
        source,
        type: event.type,
        subject: streamId,
        time,
        datacontenttype: 'application/json',
        streamVersion: fromVersion + index,
        correlationId: context.correlationId,
        causationId: context.causationId,
        ...(traceparent ? { traceparent } : {}),
        data: event.data,
      }) as AnyEvent,
  );
}

/** Re-validates (and upcasts) a stored event as it is read back. */
export function reviveEnvelope(stored: AnyEvent): AnyEvent {
  const { data, ...attributes } = stored;
  return parseEvent(attributes, data);
}

/** A decider that emits data its schema refuses is a bug: it must never reach the log. */
function assertValid(event: DomainEvent): void {
  if (!isEventType(event.type)) throw new EventSchemaError(event.type, ['unknown event type']);
  const parsed = EVENT_SCHEMAS[event.type].safeParse(event.data);
  if (!parsed.success) {
    throw new EventSchemaError(
      event.type,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`),
    );
  }
}
