import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@parley/config';
import type { Actor, PostPage, PostView } from '@parley/contracts';
import { createLogger } from '@parley/observability';
import {
  ACTOR_HEADER,
  type Clock,
  type RunningService,
  type ServiceInfrastructure,
  createDistributedInfrastructure,
  createEmbeddedInfrastructure,
  encodeActor,
  openEmbeddedPlatform,
  startService,
} from '@parley/platform';
import { type HarnessMode, eventually, testInfra, uniqueName } from '@parley/testing';
import { postsService } from '../posts.service';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Starts replicas of the posts service that share one store, bus and read models. */
interface Deployment {
  start(): Promise<RunningService>;
  /** Stops one replica, and what it alone holds (an embedded data folder). */
  stop(service: RunningService): Promise<void>;
  close(): Promise<void>;
}

async function deployment(mode: HarnessMode, clock: Clock): Promise<Deployment> {
  const logger = createLogger('posts', process.env.TEST_LOG_LEVEL ?? 'silent');
  const running: RunningService[] = [];
  const boot = async (infra: ServiceInfrastructure) => {
    const service = await startService(
      postsService(undefined, { schedulerIntervalMs: 50 }),
      infra,
      { host: '127.0.0.1', port: 0 },
    );
    running.push(service);
    return service;
  };
  if (mode === 'distributed') {
    const config = loadConfig('posts', {
      // Only its infrastructure is used: no account's data is opened through it.
      IDENTITY_URL: 'http://127.0.0.1:9',
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      MONGODB_URI: testInfra().mongoUri('posts-restart'),
      KAFKA_TOPIC_PREFIX: uniqueName('posts-restart').replace(/[^a-zA-Z0-9._-]/g, '-'),
      KAFKA_TOPIC_PARTITIONS: '3',
      KAFKA_CLIENT_ID: 'parley-posts',
      RELAY_POLL_MS: '200',
    });
    return {
      start: async () =>
        boot(await createDistributedInfrastructure(config, logger, clock, 'posts')),
      stop: (service) => service.app.close(),
      close: async () => {
        for (const service of running) await service.app.close().catch(() => undefined);
      },
    };
  }
  // Embedded: the event log and the topics on disk, read models rebuilt at every start.
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-posts-'));
  // Nest's application proxy ignores assignments, so a replica's platform is kept beside it.
  const platforms = new Map<RunningService, { close(): Promise<void> }>();
  const stop = async (service: RunningService) => {
    await service.app.close();
    await platforms.get(service)?.close();
    platforms.delete(service);
  };
  return {
    start: async () => {
      const platform = await openEmbeddedPlatform({ dataDir, clock, partitions: 4 });
      const service = await boot(await createEmbeddedInfrastructure(platform, 'posts', logger));
      platforms.set(service, platform);
      return service;
    },
    stop,
    close: async () => {
      for (const service of running) await stop(service).catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The scheduler publishes a post once when its time comes, even though the process that
 * scheduled it stopped before (a restart) and, on Kafka and Mongo, with several replicas.
 */
export function restartScenario(mode: HarnessMode): void {
  describe(`the post scheduler across restarts and replicas (${mode})`, () => {
    jest.setTimeout(mode === 'distributed' ? 90_000 : 30_000);
    const wait = { timeoutMs: mode === 'distributed' ? 30_000 : 10_000 };
    let now = new Date('2026-11-24T12:00:00.000Z');
    const clock = () => now;
    let posts: Deployment;
    const amy: Actor = { accountId: 'amy', displayName: 'Amy', roles: ['author'] };

    beforeAll(async () => {
      posts = await deployment(mode, clock);
    });

    afterAll(async () => {
      await posts?.close();
    });

    const call = async <T>(
      service: RunningService,
      method: string,
      path: string,
      body?: unknown,
    ) => {
      const response = await fetch(`${service.url}${path}`, {
        method,
        headers: {
          [ACTOR_HEADER]: encodeActor(amy),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as T };
    };
    const schedule = async (service: RunningService, title: string, publishAt: Date) => {
      const created = await call<PostView>(service, 'POST', '/v1/posts', { title, body: 'Soon' });
      expect(created.status).toBe(201);
      const scheduled = await call<PostView>(
        service,
        'POST',
        `/v1/posts/${created.body.id}/schedule`,
        {
          publishAt: publishAt.toISOString(),
        },
      );
      expect(scheduled.body.status).toBe('scheduled');
      await eventually(async () => {
        const page = await call<PostPage>(service, 'GET', '/v1/posts?status=scheduled');
        return page.body.items.some((p) => p.id === created.body.id) ? true : undefined;
      }, wait);
      return created.body.id;
    };
    const publishedByAnyone = (service: RunningService, id: string) =>
      eventually(async () => {
        const response = await fetch(`${service.url}/v1/posts/${id}`);
        return response.status === 200 ? ((await response.json()) as PostView) : undefined;
      }, wait);
    const publications = async (service: RunningService, id: string) =>
      (await service.infra.eventStore.readStream(`post-${id}`)).events.filter(
        (e) => e.type === 'parley.post.published.v2',
      );

    it('publishes a post that came due while the service was down, once it is back', async () => {
      const first = await posts.start();
      const publishAt = new Date(now.getTime() + DAY_MS);
      const id = await schedule(first, 'Back on Friday', publishAt);
      await posts.stop(first);

      now = new Date(publishAt.getTime() + 60_000);
      const second = await posts.start();
      const post = await publishedByAnyone(second, id);
      expect(post).toMatchObject({ status: 'published', publishedAt: publishAt.toISOString() });
      expect(await publications(second, id)).toHaveLength(1);
      await posts.stop(second);
    });

    if (mode === 'distributed') {
      it('publishes a due post once when several replicas run the scheduler', async () => {
        const replicas = await Promise.all([posts.start(), posts.start(), posts.start()]);
        const [one] = replicas as [RunningService, ...RunningService[]];
        const publishAt = new Date(now.getTime() + DAY_MS);
        const ids = [
          await schedule(one, 'Replicated one', publishAt),
          await schedule(one, 'Replicated two', publishAt),
        ];
        now = new Date(publishAt.getTime() + 1000);
        for (const id of ids) await publishedByAnyone(one, id);
        // Give the other replicas' loops time to make a mistake, if they would.
        await new Promise((resolve) => setTimeout(resolve, 500));
        for (const id of ids) expect(await publications(one, id)).toHaveLength(1);
      });
    }
  });
}
