import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus metrics of this process. Every metric carries the service it belongs to,
 * so the four services of an embedded process stay apart.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'parley_process_' });

const ms = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export const metrics = {
  httpDuration: new Histogram({
    name: 'parley_http_request_duration_ms',
    help: 'HTTP request duration by route and status class',
    labelNames: ['service', 'method', 'route', 'status'] as const,
    buckets: ms,
    registers: [registry],
  }),
  eventsAppended: new Counter({
    name: 'parley_events_appended_total',
    help: 'Events appended to the event store, by type',
    labelNames: ['service', 'type'] as const,
    registers: [registry],
  }),
  relayPublished: new Counter({
    name: 'parley_relay_events_published_total',
    help: 'Events the relay published to the bus',
    labelNames: ['service'] as const,
    registers: [registry],
  }),
  relayLag: new Gauge({
    name: 'parley_relay_lag_ms',
    help: 'Age of the oldest commit in the last batch the relay published',
    labelNames: ['service'] as const,
    registers: [registry],
  }),
  consumerProcessing: new Histogram({
    name: 'parley_consumer_processing_ms',
    help: 'Time a consumer group takes to handle one event',
    labelNames: ['service', 'group', 'topic'] as const,
    buckets: ms,
    registers: [registry],
  }),
  consumerDelay: new Histogram({
    name: 'parley_consumer_delay_ms',
    help: 'Time from the broker accepting an event to its handler finishing',
    labelNames: ['service', 'group', 'topic'] as const,
    buckets: ms,
    registers: [registry],
  }),
  consumerLag: new Gauge({
    name: 'parley_consumer_lag_messages',
    help: 'Messages of a topic a consumer group has not handled yet',
    labelNames: ['service', 'group', 'topic'] as const,
    registers: [registry],
  }),
  deadLetters: new Counter({
    name: 'parley_dead_letters_total',
    help: 'Messages sent to a dead-letter topic',
    labelNames: ['service', 'group', 'topic'] as const,
    registers: [registry],
  }),
  databaseCommands: new Counter({
    name: 'parley_db_commands_total',
    help: 'Commands sent to the database (each one round trip), by command and collection',
    labelNames: ['service', 'command', 'collection'] as const,
    registers: [registry],
  }),
  notifications: new Counter({
    name: 'parley_notifications_total',
    help: 'Notification deliveries by channel and outcome (sent, failed, suppressed, batched)',
    labelNames: ['service', 'channel', 'outcome'] as const,
    registers: [registry],
  }),
};

/** The route pattern of a request (`/api/v1/posts/:id`), never its values. */
export function routeLabel(pattern: string | undefined): string {
  return pattern && pattern.length > 0 ? pattern : 'unmatched';
}
