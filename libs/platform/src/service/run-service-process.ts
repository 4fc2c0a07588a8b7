import { type AppConfigs, type AppName, ConfigError, loadConfig } from '@parley/config';
import { createLogger, initTracing } from '@parley/observability';
import { installGracefulShutdown } from '../bootstrap/graceful-shutdown';
import { ReadinessService } from '../health/readiness.service';
import { runRebuildCommand } from './rebuild-command';
import { createDistributedInfrastructure } from './service-infrastructure';
import { type ServiceDefinition, startService } from './start-service';

/**
 * Entry point of a service process on Kafka and MongoDB: configuration, infrastructure, app,
 * shutdown. `<main> rebuild <projection…|all>` rebuilds read models instead of serving.
 */
export async function runServiceProcess<A extends AppName>(
  name: A,
  define: (config: AppConfigs[A]) => ServiceDefinition,
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
  try {
    const infra = await createDistributedInfrastructure(config, logger);
    const running = await startService(define(config), infra, config.http);
    installGracefulShutdown({
      app: running.app,
      readiness: running.app.get(ReadinessService),
      logger,
      graceMs: config.shutdownGraceMs,
      drainDelayMs: Math.min(2000, Math.floor(config.shutdownGraceMs / 4)),
    });
    logger.info({ url: running.url }, `${name} listening`);
  } catch (error) {
    logger.fatal({ err: error }, `${name} failed to start`);
    process.exit(1);
  }
}
