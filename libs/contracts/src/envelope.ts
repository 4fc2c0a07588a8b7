import { z } from 'zod';

/**
 * A Parley event: CloudEvents 1.0 context attributes, Parley's extensions
 * (`streamVersion`, `correlationId`, `causationId`) and the typed `data`.
 * On Kafka it travels in binary mode: attributes as `ce_*` headers, data as the JSON body.
 */
export interface EventEnvelope<T extends string = string, D = unknown> {
  specversion: '1.0';
  id: string;
  /** The service that appended the event, e.g. `/parley/comments`. */
  source: string;
  type: T;
  /** The stream (aggregate instance) the event belongs to, e.g. `comment-0193…`. */
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  /** Position of the event in its stream, from 1, without gaps. */
  streamVersion: number;
  correlationId: string;
  /** Id of the event or request that caused this one; null for a user's own request. */
  causationId: string | null;
  /** W3C trace context of the work that appended the event (CloudEvents distributed tracing extension). */
  traceparent?: string;
  data: D;
}

export const envelopeAttributesSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().regex(/^parley\.[a-z-]+\.[a-z-]+\.v\d+$/),
  subject: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json'),
  streamVersion: z.number().int().positive(),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  traceparent: z
    .string()
    .regex(/^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/)
    .optional(),
});

export type EnvelopeAttributes = z.infer<typeof envelopeAttributesSchema>;

/** Kafka header names of the envelope attributes (CloudEvents Kafka binding, binary mode). */
export const CE_HEADERS = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  subject: 'ce_subject',
  time: 'ce_time',
  streamVersion: 'ce_streamversion',
  correlationId: 'ce_correlationid',
  causationId: 'ce_causationid',
  traceparent: 'ce_traceparent',
  datacontenttype: 'content-type',
} as const;

export function envelopeToHeaders(envelope: EventEnvelope): Record<string, string> {
  const headers: Record<string, string> = {
    [CE_HEADERS.specversion]: envelope.specversion,
    [CE_HEADERS.id]: envelope.id,
    [CE_HEADERS.source]: envelope.source,
    [CE_HEADERS.type]: envelope.type,
    [CE_HEADERS.subject]: envelope.subject,
    [CE_HEADERS.time]: envelope.time,
    [CE_HEADERS.streamVersion]: String(envelope.streamVersion),
    [CE_HEADERS.correlationId]: envelope.correlationId,
    [CE_HEADERS.datacontenttype]: envelope.datacontenttype,
  };
  if (envelope.causationId !== null) headers[CE_HEADERS.causationId] = envelope.causationId;
  if (envelope.traceparent) headers[CE_HEADERS.traceparent] = envelope.traceparent;
  return headers;
}

/** Reads the envelope attributes back from Kafka headers; throws when they are not a Parley event. */
export function headersToAttributes(
  headers: Record<string, string | undefined>,
): EnvelopeAttributes {
  return envelopeAttributesSchema.parse({
    specversion: headers[CE_HEADERS.specversion],
    id: headers[CE_HEADERS.id],
    source: headers[CE_HEADERS.source],
    type: headers[CE_HEADERS.type],
    subject: headers[CE_HEADERS.subject],
    time: headers[CE_HEADERS.time],
    datacontenttype: headers[CE_HEADERS.datacontenttype],
    streamVersion: Number(headers[CE_HEADERS.streamVersion]),
    correlationId: headers[CE_HEADERS.correlationId],
    causationId: headers[CE_HEADERS.causationId] ?? null,
    ...(headers[CE_HEADERS.traceparent] ? { traceparent: headers[CE_HEADERS.traceparent] } : {}),
  });
}
