import { loadConfig } from '@parley/config';
import type { Actor } from '@parley/contracts';
import { createLogger } from '@parley/observability';
import {
  type Clock,
  type RunningService,
  type ServiceDefinition,
  type ServiceInfrastructure,
  createDistributedInfrastructure,
  createEmbeddedInfrastructure,
  encodeActor,
  openEmbeddedPlatform,
  startService,
  ACTOR_HEADER,
} from '@parley/platform';
import { testInfra, uniqueName } from './infra';

export type HarnessMode = 'embedded' | 'distributed';

export interface ServiceHarness {
  running: RunningService;
  url: string;
  infra: ServiceInfrastructure;
  /** The service's own database (distributed mode). */
  mongoUri?: string;
  /** A JSON request to the service; `as` sends the gateway's actor header, `headers` any other. */
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    as?: Actor | null,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T; headers: Headers }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  clock?: Clock;
  /** Topic prefix to share with other services of the same test (distributed mode). */
  topicPrefix?: string;
  partitions?: number;
  logLevel?: string;
  /** Embedded mode: keep the service's files in this data folder instead of memory only. */
  dataDir?: string;
  /** Distributed mode: a Kafka broker and Mongo-compatible server of the test's own. */
  servers?: { kafkaBrokers: string[]; mongoUri(database: string): string };
}

/** Boots one service on the real Kafka and Mongo-compatible server, or on the embedded adapters. */
export async function startServiceHarness(
  definition: ServiceDefinition,
  mode: HarnessMode,
  options: HarnessOptions = {},
): Promise<ServiceHarness> {
  const logger = createLogger(
    definition.name,
    options.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'silent',
  );
  let infra: ServiceInfrastructure;
  let closePlatform: () => Promise<void> = async () => undefined;
  let mongoUri: string | undefined;
  if (mode === 'distributed') {
    const servers = options.servers ?? testInfra();
    const config = loadConfig('posts', {
      // Only its infrastructure is used: no account's data is opened through it.
      IDENTITY_URL: 'http://127.0.0.1:9',
      KAFKA_BROKERS: servers.kafkaBrokers.join(','),
      MONGODB_URI: servers.mongoUri(definition.name),
      KAFKA_TOPIC_PREFIX:
        options.topicPrefix ?? uniqueName(definition.name).replace(/[^a-zA-Z0-9._-]/g, '-'),
      KAFKA_TOPIC_PARTITIONS: String(options.partitions ?? 3),
      KAFKA_CLIENT_ID: `parley-${definition.name}`,
      RELAY_POLL_MS: '500',
    });
    mongoUri = config.mongo.uri;
    infra = await createDistributedInfrastructure(config, logger, options.clock, definition.name);
  } else {
    const platform = await openEmbeddedPlatform({
      ...(options.clock ? { clock: options.clock } : {}),
      partitions: options.partitions ?? 4,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });
    infra = await createEmbeddedInfrastructure(platform, definition.name, logger);
    closePlatform = () => platform.close();
  }
  const running = await startService(definition, infra, { host: '127.0.0.1', port: 0 });
  return {
    running,
    url: running.url,
    infra,
    ...(mongoUri ? { mongoUri } : {}),
    async request<T>(
      method: string,
      path: string,
      body?: unknown,
      as?: Actor | null,
      extraHeaders: Record<string, string> = {},
    ) {
      const headers: Record<string, string> = { ...extraHeaders };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (as) headers[ACTOR_HEADER] = encodeActor(as);
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: (text ? JSON.parse(text) : undefined) as T,
        headers: response.headers,
      };
    },
    async close() {
      await running.app.close();
      await closePlatform();
    },
  };
}
