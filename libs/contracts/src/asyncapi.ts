import { z } from 'zod';
import { CE_HEADERS } from './envelope';
import { PUBLIC_EVENTS } from './registry';
import { TOPICS, type TopicKey, dlqOf } from './topics';

type JsonObject = { [key: string]: unknown };

const TOPIC_DESCRIPTIONS: Record<TopicKey, string> = {
  accounts:
    'Identity: accounts registered, verified, renamed and their roles. Produced by the gateway.',
  posts:
    'The Post aggregate: drafts, publishing, scheduling, comment settings and likes. Produced by posts.',
  comments:
    'The Comment aggregate: posting, moderation, edits, deletion and likes. Produced by comments.',
  notifications:
    'Subscriptions and notifications: who is subscribed to what, and each notification with its deliveries. Produced by notifications.',
};

function jsonSchemaOf(schema: z.ZodType): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'output',
  }) as JsonObject;
  return rest;
}

function headersSchema(): JsonObject {
  const stringHeader = (description: string) => ({ type: 'string', description });
  return {
    type: 'object',
    required: [
      CE_HEADERS.specversion,
      CE_HEADERS.id,
      CE_HEADERS.source,
      CE_HEADERS.type,
      CE_HEADERS.subject,
      CE_HEADERS.time,
      CE_HEADERS.streamVersion,
      CE_HEADERS.correlationId,
      CE_HEADERS.datacontenttype,
    ],
    properties: {
      [CE_HEADERS.specversion]: {
        type: 'string',
        const: '1.0',
        description: 'CloudEvents specification version.',
      },
      [CE_HEADERS.id]: stringHeader('Unique id of the event.'),
      [CE_HEADERS.source]: stringHeader(
        'The service that appended the event, e.g. /parley/comments.',
      ),
      [CE_HEADERS.type]: stringHeader('Versioned event type, e.g. parley.comment.posted.v3.'),
      [CE_HEADERS.subject]: stringHeader('The stream (aggregate instance); also the message key.'),
      [CE_HEADERS.time]: stringHeader('When the event was appended (RFC 3339).'),
      [CE_HEADERS.streamVersion]: stringHeader('Position of the event in its stream, from 1.'),
      [CE_HEADERS.correlationId]: stringHeader('Id shared by all work that one request started.'),
      [CE_HEADERS.causationId]: stringHeader('Id of the event or request that caused this event.'),
      [CE_HEADERS.traceparent]: stringHeader(
        'W3C trace context of the work that appended the event (distributed tracing extension).',
      ),
      [CE_HEADERS.datacontenttype]: { type: 'string', const: 'application/json' },
    },
  };
}

/** The AsyncAPI 3 description of every Parley topic, generated from the contract schemas. */
export function buildAsyncApiDocument(): JsonObject {
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  const messages: JsonObject = {};
  for (const topic of Object.keys(TOPICS) as TopicKey[]) {
    const types = Object.keys(PUBLIC_EVENTS[topic]).sort();
    const refs = Object.fromEntries(types.map((t) => [t, { $ref: `#/components/messages/${t}` }]));
    channels[topic] = {
      address: TOPICS[topic],
      title: TOPICS[topic],
      description: `${TOPIC_DESCRIPTIONS[topic]} Keyed by stream id, so one aggregate's events keep their order. 12 partitions by default, unlimited retention.`,
      messages: refs,
    };
    channels[`${topic}Dlq`] = {
      address: dlqOf(TOPICS[topic]),
      title: dlqOf(TOPICS[topic]),
      description: `Messages of ${TOPICS[topic]} that a consumer could not handle, with the error and the attempt count.`,
      messages: { deadLetter: { $ref: '#/components/messages/deadLetter' } },
    };
    const messageRefs = types.map((t) => ({ $ref: `#/channels/${topic}/messages/${t}` }));
    operations[`publish${capitalize(topic)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${topic}` },
      messages: messageRefs,
    };
    operations[`consume${capitalize(topic)}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${topic}` },
      messages: messageRefs,
    };
    const schemas = PUBLIC_EVENTS[topic] as Record<string, z.ZodType>;
    for (const type of types) {
      const schema = schemas[type];
      if (!schema) continue;
      messages[type] = {
        name: type,
        title: type,
        contentType: 'application/json',
        headers: { $ref: '#/components/schemas/cloudEventHeaders' },
        payload: jsonSchemaOf(schema),
        bindings: { kafka: { key: { type: 'string', description: 'Stream id (ce_subject).' } } },
      };
    }
  }
  messages.deadLetter = {
    name: 'deadLetter',
    title: 'Dead letter',
    contentType: 'application/json',
    headers: {
      type: 'object',
      properties: {
        'x-dlq-error': { type: 'string', description: 'Why the last attempt failed.' },
        'x-dlq-attempts': { type: 'string', description: 'How many attempts were made.' },
        'x-dlq-source-topic': { type: 'string' },
        'x-dlq-source-partition': { type: 'string' },
        'x-dlq-source-offset': { type: 'string' },
        'x-dlq-consumer-group': { type: 'string' },
      },
    },
    payload: {
      description: 'The original message body, unchanged; the original headers are kept too.',
    },
  };
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Parley events',
      version: '1.0.0',
      description:
        'Events of the Parley discussion platform. Each event is a CloudEvent in Kafka binary mode: attributes as ce_* headers, data as the JSON body.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages, schemas: { cloudEventHeaders: headersSchema() } },
  };
}

function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
