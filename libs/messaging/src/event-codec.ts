import {
  type AnyEvent,
  envelopeToHeaders,
  headersToAttributes,
  parseEvent,
} from '@parley/contracts';
import { PermanentError } from './errors';
import type { IncomingMessage, OutgoingMessage } from './message';

/** A copy of a JSON value (an event as parsed). */
function copyJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = copyJson(field);
  return copy as T;
}

/**
 * How many decoded events are kept. Live, the groups of one process take a message within
 * moments of each other, so a few hundred serve them all; keeping every event decoded for as
 * long as its message is kept held each stored event twice (a third of the standalone heap).
 */
export const DECODED_KEPT = 512;

/**
 * Events decoded lately, by the headers of the message that carried them: in one process the
 * bus hands every consumer group the same stored message, and each would parse and validate it
 * again. A hit answers a copy, so that no handler sees what another did to its event. The
 * oldest goes when `DECODED_KEPT` are kept.
 */
const decoded = new Map<object, { value: string; event: AnyEvent }>();

/** Reads a Parley event from a message and validates it; a message that is not one is permanent poison. */
export function decodeEvent(message: IncomingMessage): AnyEvent {
  const known = decoded.get(message.headers);
  if (known && known.value === message.value) return copyJson(known.event);
  const event = decodeOnce(message);
  decoded.delete(message.headers);
  decoded.set(message.headers, { value: message.value, event: copyJson(event) });
  if (decoded.size > DECODED_KEPT) decoded.delete(decoded.keys().next().value as object);
  return event;
}

/**
 * Reads a Parley event from a message that no other consumer of this process reads now (a
 * replay of a topic from its beginning): nothing is kept, so nothing is copied.
 */
export function decodeEventAlone(message: IncomingMessage): AnyEvent {
  return decodeOnce(message);
}

/** How many decoded events are kept now (at most `DECODED_KEPT`). */
export function decodedKept(): number {
  return decoded.size;
}

function decodeOnce(message: IncomingMessage): AnyEvent {
  let data: unknown;
  try {
    data = JSON.parse(message.value);
  } catch (error) {
    throw new PermanentError(
      `Message at ${message.topic}/${message.partition}@${message.offset} is not JSON`,
      { cause: error },
    );
  }
  let attributes;
  try {
    attributes = headersToAttributes(message.headers);
  } catch (error) {
    throw new PermanentError(
      `Message at ${message.topic}/${message.partition}@${message.offset} has no valid CloudEvents headers`,
      {
        cause: error,
      },
    );
  }
  return parseEvent(attributes, data);
}

/** An event as the message that carries it: keyed by its stream, attributes in headers. */
export function eventToMessage(event: AnyEvent): OutgoingMessage {
  return {
    key: event.subject,
    value: JSON.stringify(event.data),
    headers: envelopeToHeaders(event),
  };
}
