import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_LOGGER, CLOCK, type Clock, PERSON_KEYS } from '@parley/platform';
import type { PersonKeyStore } from '@parley/privacy';
import type { Logger } from 'pino';
import { retentionSweep } from './retention.policy';

export const RETENTION_OPTIONS = Symbol('RETENTION_OPTIONS');

export interface RetentionOptions {
  /** Days IP addresses and user agents are kept (PERSONAL_DATA_RETENTION_DAYS). */
  retentionDays: number;
}

/**
 * Erases the IP addresses and user agents kept past the retention period by destroying the
 * keys of their periods, at start and as each UTC day ends. Every replica runs it: the
 * destruction is one conditional delete, so two runs at once destroy each key once.
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    @Inject(PERSON_KEYS) private readonly keys: PersonKeyStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(RETENTION_OPTIONS) private readonly options: RetentionOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Destroys the keys of every expired period now; answers how many. */
  run(): Promise<number> {
    // A run asked for while one is going joins it: the second would find nothing more.
    this.running ??= this.sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweep(): Promise<number> {
    const { destroyPeriodsBefore } = retentionSweep(this.clock(), this.options.retentionDays);
    const destroyed = await this.keys.destroyPeriodsBefore(destroyPeriodsBefore);
    if (destroyed > 0)
      this.logger.info(
        { destroyed, before: destroyPeriodsBefore },
        'retention: expired period keys destroyed',
      );
    return destroyed;
  }

  private tick(): void {
    if (this.stopped) return;
    void this.run().catch((error: unknown) => {
      // The store may be away for a moment; the next run destroys what this one could not.
      this.logger.warn({ err: error }, 'retention: the expired keys could not be destroyed yet');
    });
    const now = this.clock();
    const { nextRunAt } = retentionSweep(now, this.options.retentionDays);
    this.timer = setTimeout(() => this.tick(), Math.max(1000, nextRunAt.getTime() - now.getTime()));
    this.timer.unref();
  }
}
