import { type AppConfigs, type AppName, ConfigError, loadConfig } from '@parley/config';
import type { Writable } from 'node:stream';
import { createLogger, initTracing } from '@parley/observability';
import type { Logger } from 'pino';
import { installGracefulShutdown } from '../bootstrap/graceful-shutdown';
import { ReadinessService } from '../health/readiness.service';
import { runMongoLogMigration } from '../migration/migrate-log-command';
import { runRebuildCommand } from './rebuild-command';
import {
  type ServiceInfrastructure,
  createDistributedInfrastructure,
} from './service-infrastructure';
import { type ServiceDefinition, startService } from './start-service';

/** A command a service's process runs instead of serving (`<main> <command> …`): its exit code. */
export type ServiceCommand<A extends AppName> = (context: {
  config: AppConfigs[A];
  logger: Logger;
  args: string[];
  out: Writable;
}) => Promise<number>;

/**
 * Entry point of a service process on Kafka and MongoDB: configuration, infrastructure, app,
 * shutdown. `<main> rebuild <projection…|all>` rebuilds read models instead of serving, and
 * `<main> migrate-log --to <database>` copies its log into a new database with its personal data
 * sealed, and `<main> <command> …` runs one of the service's own commands.
 */
export async function runServiceProcess<A extends AppName>(
  name: A,
  define: (config: AppConfigs[A]) => ServiceDefinition,
  commands: Record<string, ServiceCommand<A>> = {},
): Promise<void> {
  let config: AppConfigs[A];
  try {
    config = loadConfig(name);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(name, config.logLevel);
  initTracing({
    serviceName: `parley-${name}`,
    ...(config.tracing.otlpEndpoint ? { otlpEndpoint: config.tracing.otlpEndpoint } : {}),
  });
  const [command, ...args] = process.argv.slice(2);
  if (command === 'rebuild') {
    const infra = await createDistributedInfrastructure(config, logger);
    const code = await runRebuildCommand({
      definition: define(config),
      infra,
      args,
      out: process.stderr,
    }).finally(() => infra.close());
    process.exit(code);
  }
  if (command === 'migrate-log') {
    const definition = define(config);
    process.exit(await runMongoLogMigration({ definition, config, args, out: process.stderr }));
  }
  const own = command === undefined ? undefined : commands[command];
  if (own) process.exit(await own({ config, logger, args, out: process.stderr }));
  for (let attempt = 1; ; attempt += 1) {
    let infra: ServiceInfrastructure | undefined;
    try {
      infra = await createDistributedInfrastructure(config, logger);
      const running = await startService(define(config), infra, {
        ...config.http,
        metricsPort: config.metrics.port,
      });
      installGracefulShutdown({
        app: running.app,
        readiness: running.app.get(ReadinessService),
        logger,
        graceMs: config.shutdownGraceMs,
        drainDelayMs: Math.min(2000, Math.floor(config.shutdownGraceMs / 4)),
      });
      logger.info({ url: running.url, metricsUrl: running.metricsUrl }, `${name} listening`);
      return;
    } catch (error) {
      await infra?.close().catch(() => undefined);
      if (attempt >= START_ATTEMPTS) {
        logger.fatal({ err: error }, `${name} failed to start`);
        process.exit(1);
      }
      // A broker or database still coming up (its group coordinator loading, say).
      const retryInMs = 1000 * 2 ** (attempt - 1);
      logger.warn({ err: error, attempt, retryInMs }, `${name} could not start yet; trying again`);
      await new Promise((resolve) => setTimeout(resolve, retryInMs));
    }
  }
}

/** Tries to start before giving up (1 + 2 + 4 s apart): a restart by the orchestrator is slower. */
const START_ATTEMPTS = 4;
