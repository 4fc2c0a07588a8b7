import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { LeaseStore } from '@parley/eventstore';
import { newCorrelationId, runWithCorrelation } from '@parley/observability';
import { APP_LOGGER, CLOCK, type Clock, LEASES } from '@parley/platform';
import type { Logger } from 'pino';
import { PostUseCases } from '../posts/post-use-cases';
import { POSTS_OPTIONS, type PostsOptions } from '../posts/posts.options';
import { PostQueries } from '../read-model/post-queries';

/** One scheduler of the service publishes at a time, the holder of this lease. */
export const SCHEDULER_LEASE = 'scheduler:posts';

/** Posts published by one pass at most; the next pass takes the rest. */
const BATCH = 100;

/**
 * Publishes scheduled posts when their time comes. Every replica runs the loop, but only
 * the holder of the lease looks for due posts; publishing a post that is published already
 * decides nothing, so a retry, a pass of a second replica or a restart publishes it once.
 * Due posts are found in the read model, so after a restart the first pass finds them.
 */
@Injectable()
export class PostScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly posts: PostUseCases,
    private readonly queries: PostQueries,
    @Inject(LEASES) private readonly leases: LeaseStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(POSTS_OPTIONS) private readonly options: PostsOptions,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.options.schedulerIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.leases.release(SCHEDULER_LEASE, this.owner).catch(() => undefined);
  }

  /** One turn of the loop: a pass if this replica holds (or takes) the lease. */
  async tick(): Promise<void> {
    if (this.running || !this.timer) return;
    const turn = (async () => {
      const ttl = Math.max(10_000, this.options.schedulerIntervalMs * 5);
      if (!(await this.leases.tryAcquire(SCHEDULER_LEASE, this.owner, ttl))) return;
      await this.runPass();
    })();
    this.running = turn;
    try {
      await turn;
    } catch (error) {
      this.logger.warn({ err: error }, 'scheduler pass failed; the next one tries again');
    } finally {
      this.running = undefined;
    }
  }

  /** Publishes every post whose time has come; returns the ids it published. */
  async runPass(): Promise<string[]> {
    const published: string[] = [];
    for (const postId of await this.queries.due(this.clock(), BATCH)) {
      const done = await runWithCorrelation({ correlationId: newCorrelationId() }, () =>
        this.posts.publishDue(postId),
      );
      if (done) {
        published.push(postId);
        this.logger.info({ postId }, 'scheduled post published');
      }
    }
    return published;
  }
}
