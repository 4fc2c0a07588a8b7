import {
  type Admin,
  Kafka,
  type KafkaConfig,
  logLevel as KafkaLogLevel,
  type LogEntry,
} from 'kafkajs';
import { quietIdleKafkaConnections } from '@parley/messaging';
import type { Logger } from 'pino';
import type { ReadinessCheck } from '../health/readiness.service';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/** What kafkajs logs as an error but recovers from by itself: a retry or a rejoin. */
function recovered(namespace: string, message: string): boolean {
  // A broker's error answer to one request ("Response Heartbeat(…)" in every rebalance).
  if (namespace === 'Connection') return true;
  // A member the coordinator forgot (a session that lapsed on a busy machine) joins again.
  return namespace === 'Runner' && message.endsWith('re-joining the group');
}

/**
 * kafkajs logs through the service's pino logger, as one JSON line each. What it recovers
 * from by itself is a warning; what it cannot recover from stays an error, logged by the
 * consumer or producer that gives up.
 */
export function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      const { message, timestamp: _timestamp, logger: _name, ...rest } = log;
      const method =
        level === KafkaLogLevel.ERROR && recovered(namespace, message)
          ? 'warn'
          : (LEVELS[level] ?? 'info');
      logger[method]({ kafka: namespace, ...rest }, message);
    };
}

export function createKafka(
  options: { clientId: string; brokers: string[] },
  logger: Logger,
  overrides: Partial<KafkaConfig> = {},
): Kafka {
  quietIdleKafkaConnections();
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    logLevel: KafkaLogLevel.WARN,
    logCreator: kafkaLogCreator(logger.child({ component: 'kafkajs' })),
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
    ...overrides,
  });
}

/** Readiness of the broker: one metadata round trip on a dedicated, non-retrying admin client. */
export function kafkaReadiness(
  options: { clientId: string; brokers: string[] },
  logger: Logger,
): ReadinessCheck & { close(): Promise<void> } {
  const kafka = createKafka(
    { clientId: `${options.clientId}-health`, brokers: options.brokers },
    logger,
    {
      retry: { retries: 0 },
      logLevel: KafkaLogLevel.NOTHING,
    },
  );
  let admin: Admin | undefined;
  return {
    name: 'kafka',
    async check() {
      admin ??= kafka.admin();
      try {
        await admin.connect();
        await admin.describeCluster();
      } catch (error) {
        // A fresh client next time: kafkajs clients do not always recover from a lost broker.
        const stale = admin;
        admin = undefined;
        await stale.disconnect().catch(() => undefined);
        throw error;
      }
    },
    async close() {
      await admin?.disconnect().catch(() => undefined);
    },
  };
}
