import type { DynamicModule } from '@nestjs/common';
import { type AppConfigs, type AppName, ConfigError, type Env, loadConfig } from '@parley/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { ReadinessService } from '../health/readiness.service';
import { createLogger } from '@parley/observability';
import { installGracefulShutdown } from './graceful-shutdown';
import { createHttpApp, listen } from './http-app';

export type AppModuleFactory<A extends AppName> = (
  config: AppConfigs[A],
  logger: Logger,
) => DynamicModule;

export interface BootedService<A extends AppName> {
  app: NestFastifyApplication;
  url: string;
  config: AppConfigs[A];
  logger: Logger;
}

/** Validates the configuration, builds the app and starts listening; used by main.ts and by tests. */
export async function bootService<A extends AppName>(
  name: A,
  moduleFactory: AppModuleFactory<A>,
  env: Env = process.env,
  logger?: Logger,
): Promise<BootedService<A>> {
  const config = loadConfig(name, env);
  const log = logger ?? createLogger(name, config.logLevel);
  const app = await createHttpApp(moduleFactory(config, log), {
    logger: log,
    host: config.http.host,
    port: config.http.port,
  });
  const running = await listen(app, config.http.host, config.http.port);
  return { app, url: running.url, config, logger: log };
}

/** Entry point of a service process: boot, or stop with a message that names the bad variable. */
export async function runService<A extends AppName>(
  name: A,
  moduleFactory: AppModuleFactory<A>,
): Promise<void> {
  let booted: BootedService<A>;
  try {
    booted = await bootService(name, moduleFactory);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    process.stderr.write(
      `${name} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  }
  installGracefulShutdown({
    app: booted.app,
    readiness: booted.app.get(ReadinessService),
    logger: booted.logger,
    graceMs: booted.config.shutdownGraceMs,
    drainDelayMs: Math.min(2000, Math.floor(booted.config.shutdownGraceMs / 4)),
  });
  booted.logger.info({ url: booted.url }, `${name} listening`);
}
