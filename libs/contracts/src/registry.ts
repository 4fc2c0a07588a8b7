import { type z } from 'zod';
import { accountEvents, accountPrivateEvents, accountUpcasters } from './accounts.events';
import { commentEvents, commentPrivateEvents, commentUpcasters } from './comments.events';
import { type EnvelopeAttributes, type EventEnvelope } from './envelope';
import {
  notificationEvents,
  notificationPrivateEvents,
  notificationUpcasters,
} from './notifications.events';
import { postEvents, postPrivateEvents, postUpcasters } from './posts.events';
import { type TopicKey } from './topics';

/** Published events, by topic: what other services may consume. */
export const PUBLIC_EVENTS = {
  accounts: accountEvents,
  posts: postEvents,
  comments: commentEvents,
  notifications: notificationEvents,
} as const;

/** Events a service keeps in its own store and never publishes. */
export const PRIVATE_EVENTS = {
  ...accountPrivateEvents,
  ...postPrivateEvents,
  ...commentPrivateEvents,
  ...notificationPrivateEvents,
} as const;

export const EVENT_SCHEMAS = {
  ...accountEvents,
  ...postEvents,
  ...commentEvents,
  ...notificationEvents,
  ...PRIVATE_EVENTS,
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export type EventData<T extends EventType> = z.output<(typeof EVENT_SCHEMAS)[T]>;

/** A typed envelope: `EventOf<'parley.comment.posted.v3'>` has that event's `data`. */
export type EventOf<T extends EventType> = EventEnvelope<T, EventData<T>>;
export type AnyEvent = { [T in EventType]: EventOf<T> }[EventType];

/** What a decider emits: the type and the data, before the store wraps them in an envelope. */
export type DomainEvent<T extends EventType = EventType> = {
  [K in T]: { type: K; data: EventData<K> };
}[T];

export type TopicEventType<K extends TopicKey> = K extends TopicKey
  ? keyof (typeof PUBLIC_EVENTS)[K] & EventType
  : never;
export type TopicEvent<K extends TopicKey> = {
  [T in TopicEventType<K>]: EventOf<T>;
}[TopicEventType<K>];

const TOPIC_OF_TYPE = new Map<string, TopicKey>(
  (Object.keys(PUBLIC_EVENTS) as TopicKey[]).flatMap((topic) =>
    Object.keys(PUBLIC_EVENTS[topic]).map((type) => [type, topic] as const),
  ),
);

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_SCHEMAS, type);
}

export function isPrivateEventType(type: string): boolean {
  return Object.prototype.hasOwnProperty.call(PRIVATE_EVENTS, type);
}

/**
 * The topic a published event type travels on; an older version travels where its newest one
 * does (a commit appended before an upgrade is published after it); undefined for private events.
 */
export function topicOfType(type: string): TopicKey | undefined {
  return TOPIC_OF_TYPE.get(type) ?? TOPIC_OF_TYPE.get(UPCASTERS.newestType(type));
}

export function eventTypesOf(topic: TopicKey): EventType[] {
  return Object.keys(PUBLIC_EVENTS[topic]) as EventType[];
}

export class EventSchemaError extends Error {
  constructor(
    readonly eventType: string,
    readonly issues: string[],
  ) {
    super(`Event ${eventType} does not match its schema: ${issues.join('; ')}`);
    this.name = 'EventSchemaError';
  }
}

/**
 * An upcaster turns the data of an old event version into the next version.
 * Old events are upcast when read, never rewritten.
 */
export interface Upcaster {
  from: string;
  to: string;
  upcast(data: unknown): unknown;
}

export class Upcasters {
  private readonly byFrom = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const u of upcasters) {
      if (this.byFrom.has(u.from)) throw new Error(`Two upcasters from ${u.from}`);
      this.byFrom.set(u.from, u);
    }
  }

  /** The newest type an old one upcasts to (the type itself when none does). */
  newestType(type: string): string {
    let current = type;
    const seen = new Set<string>();
    for (let u = this.byFrom.get(current); u && !seen.has(u.from); u = this.byFrom.get(current)) {
      seen.add(u.from);
      current = u.to;
    }
    return current;
  }

  /** Follows the chain from an old type to the newest one it upcasts to. */
  apply(type: string, data: unknown): { type: string; data: unknown } {
    let current = { type, data };
    const seen = new Set<string>();
    for (let u = this.byFrom.get(current.type); u; u = this.byFrom.get(current.type)) {
      if (seen.has(u.from)) throw new Error(`Upcaster cycle at ${u.from}`);
      seen.add(u.from);
      current = { type: u.to, data: u.upcast(current.data) };
    }
    return current;
  }
}

/** The platform's upcasters: every consumer handles the newest version of each event only. */
export const UPCASTERS = new Upcasters([
  ...accountUpcasters,
  ...commentUpcasters,
  ...notificationUpcasters,
  ...postUpcasters,
]);

/**
 * Validates an event where it enters a process (from Kafka, from a store) and
 * upcasts an old version to the current one. Throws EventSchemaError when the
 * data does not match: such a message is poison and goes to the dead-letter topic.
 */
export function parseEvent(
  attributes: EnvelopeAttributes,
  data: unknown,
  upcasters: Upcasters = UPCASTERS,
  schemas: Record<string, z.ZodType> = EVENT_SCHEMAS,
): AnyEvent {
  const current = upcasters.apply(attributes.type, data);
  const schema = schemas[current.type];
  if (!schema) throw new EventSchemaError(current.type, ['unknown event type']);
  const parsed = schema.safeParse(current.data);
  if (!parsed.success) {
    throw new EventSchemaError(
      current.type,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`),
    );
  }
  return { ...attributes, type: current.type, data: parsed.data } as AnyEvent;
}
