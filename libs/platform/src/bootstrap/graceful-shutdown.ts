import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ReadinessService } from '../health/readiness.service';

export interface ShutdownOptions {
  app: INestApplication;
  readiness: ReadinessService;
  logger: Logger;
  /** Everything must be done within this time; past it the process exits with 1. */
  graceMs: number;
  /** Time between readiness turning 503 and the listener closing, for load balancers to notice. */
  drainDelayMs: number;
}

/**
 * SIGTERM / SIGINT: readiness goes 503 first, then in-flight HTTP requests finish,
 * consumers drain and commit (their shutdown hooks), connections close, and the
 * process exits within the grace period.
 */
export function installGracefulShutdown(options: ShutdownOptions): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    options.logger.info({ signal }, 'shutting down');
    options.readiness.startDraining();
    const deadline = setTimeout(() => {
      options.logger.error({ graceMs: options.graceMs }, 'shutdown exceeded the grace period');
      process.exit(1);
    }, options.graceMs);
    deadline.unref();
    void (async () => {
      await new Promise((resolve) => setTimeout(resolve, options.drainDelayMs));
      try {
        await options.app.close();
        options.logger.info({ ms: Date.now() - started }, 'shut down cleanly');
        process.exit(0);
      } catch (error) {
        options.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      }
    })();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // An error nobody caught: logged (not only printed to stderr). While the process runs it
  // ends the process as Node would, as its state is unknown; while it shuts down, a
  // connection closing under a late callback is expected, and the shutdown goes on.
  const uncaught = (kind: string) => (error: unknown) => {
    if (stopping) {
      options.logger.warn({ err: error }, `${kind} while shutting down`);
      return;
    }
    options.logger.fatal({ err: error }, kind);
    process.exit(1);
  };
  process.on('unhandledRejection', uncaught('unhandled rejection'));
  process.on('uncaughtException', uncaught('uncaught exception'));
}
