import {
  type AnyEvent,
  envelopeToHeaders,
  headersToAttributes,
  parseEvent,
} from '@parley/contracts';
import { PermanentError } from './errors';
import type { IncomingMessage, OutgoingMessage } from './message';

/** Reads a Parley event from a message and validates it; a message that is not one is permanent poison. */
export function decodeEvent(message: IncomingMessage): AnyEvent {
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
