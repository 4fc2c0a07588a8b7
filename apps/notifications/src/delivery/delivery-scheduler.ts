import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { LeaseStore } from '@parley/eventstore';
import { APP_LOGGER, LEASES } from '@parley/platform';
import type { Logger } from 'pino';
import { NOTIFICATIONS_OPTIONS, type ResolvedNotificationsOptions } from '../notifications.options';
import { DeliveryService } from './delivery.service';

const LEASE = 'notifications-delivery-scheduler';

/** Retries (notifications and confirmation mails) and digests, on a timer, by one replica at a time (a lease), on the injected clock. */
@Injectable()
export class DeliveryScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly owner = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly delivery: DeliveryService,
    @Inject(LEASES) private readonly leases: LeaseStore,
    @Inject(NOTIFICATIONS_OPTIONS) private readonly options: ResolvedNotificationsOptions,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.options.schedulerIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.leases.release(LEASE, this.owner).catch(() => undefined);
  }

  /** One pass; ticks never overlap. */
  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      const ttl = Math.max(10_000, this.options.schedulerIntervalMs * 3);
      if (!(await this.leases.tryAcquire(LEASE, this.owner, ttl))) return;
      const now = this.options.clock();
      await this.delivery.retryDue(now);
      await this.delivery.retryConfirmations(now);
      await this.delivery.sendDueDigests(now);
    } catch (error) {
      this.logger.warn({ err: error }, 'delivery scheduler pass failed; next pass retries');
    }
  }
}
