import {
  Body,
  Controller,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  Param,
  Post,
} from '@nestjs/common';
import { type DomainEvent, type EventOf, dlqOf } from '@parley/contracts';
import { type Decider, type DomainError, type EventStore, handleCommand } from '@parley/eventstore';
import { currentCorrelation } from '@parley/observability';
import { type IncomingMessage, OnEvent, PermanentError } from '@parley/messaging';
import {
  applyToOwnedDocument,
  type LiveReadModels,
  type Projection,
  type Versioned,
  rebuildProjection,
} from '@parley/readmodel';
import { z } from 'zod';
import type { ServiceInfrastructure } from '../service-infrastructure';
import { ServiceRuntimeModule } from '../service-runtime.module';
import { type RunningService, type ServiceDefinition, startService } from '../start-service';
import { EVENT_STORE, READ_MODELS } from '../tokens';

type Liked = DomainEvent<'parley.post.liked.v2'>;

const likeDecider: Decider<
  Set<string>,
  { postId: string; accountId: string; at: Date },
  Liked,
  DomainError
> = {
  initialState: new Set(),
  evolve: (likers, event) => new Set([...likers, event.data.accountId]),
  decide: (command, likers) =>
    likers.has(command.accountId)
      ? []
      : [
          {
            type: 'parley.post.liked.v2',
            data: {
              postId: command.postId,
              accountId: command.accountId,
              displayName: command.accountId,
              likedAt: command.at.toISOString(),
            },
          },
        ],
};

interface LikeCount extends Versioned {
  postId: string;
  likers: string[];
}

export const likeCounts: Projection<'posts'> = {
  name: 'like-counts',
  topics: ['posts'],
  collections: { like_counts: [] },
  async apply(event, db) {
    if (event.type !== 'parley.post.liked.v2') return;
    await applyToOwnedDocument<LikeCount>(
      db.collection('like_counts'),
      event.subject,
      event,
      (current) => ({
        _id: event.subject,
        postId: event.data.postId,
        likers: [...(current?.likers ?? []), event.data.accountId],
      }),
    );
  },
};

export const AUDIT = Symbol('audit');

/** What the policy saw: the typed event and the correlation it ran under. */
export const audit: {
  type: string;
  accountId: string;
  correlationId: string | undefined;
  causationId: string | undefined;
}[] = [];

@Controller()
class AuditPolicy {
  @OnEvent('parley.post.liked.v2', AUDIT)
  async onLiked(event: EventOf<'parley.post.liked.v2'>): Promise<void> {
    if (event.data.accountId.startsWith('refused-'))
      throw new PermanentError(`the audit refuses ${event.data.accountId}`);
    const correlation = currentCorrelation();
    audit.push({
      type: event.type,
      accountId: event.data.accountId,
      correlationId: correlation?.correlationId,
      causationId: correlation?.causationId,
    });
  }
}

@Injectable()
class LikeService {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async like(postId: string, accountId: string) {
    const correlation = currentCorrelation();
    return handleCommand(
      this.store,
      likeDecider,
      `post-${postId}`,
      { postId, accountId, at: new Date() },
      {
        correlationId: correlation?.correlationId ?? 'none-given',
        causationId: null,
      },
    );
  }
}

@Controller('likes')
class LikeController {
  constructor(private readonly likes: LikeService) {}

  @Post(':postId')
  async like(
    @Param('postId') postId: string,
    @Body({ schema: z.object({ accountId: z.string().min(1) }).strict() })
    body: { accountId: string },
  ): Promise<{ version: number }> {
    const outcome = await this.likes.like(postId, body.accountId);
    if (!outcome.ok) throw new Error(outcome.error.message);
    return { version: outcome.version };
  }

  @Post(':postId/count')
  async count(@Param('postId') postId: string): Promise<{ likers: string[] }> {
    return {
      likers:
        (
          await this.readModels
            .db('like-counts')
            .collection<LikeCount>('like_counts')
            .findOne({ _id: `post-${postId}` })
        )?.likers ?? [],
    };
  }

  @Inject(READ_MODELS) private readonly readModels!: LiveReadModels;
}

@Module({ controllers: [LikeController, AuditPolicy], providers: [LikeService] })
class LikesFeatureModule {}

export const likesService: ServiceDefinition = {
  name: 'likes',
  produces: ['posts'],
  projections: [likeCounts],
  consumers: [{ name: 'audit', transportId: AUDIT, topics: ['posts'] }],
  module: (infra: ServiceInfrastructure): DynamicModule => ({
    module: class LikesTestServiceModule {},
    imports: [ServiceRuntimeModule.forRoot(infra), LikesFeatureModule],
  }),
};

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One scenario through the whole core: HTTP command, event store, relay, bus, projection, policy, rebuild. */
export function coreScenario(
  mode: string,
  infrastructure: () => Promise<ServiceInfrastructure>,
): void {
  describe(`the event-sourcing core end to end (${mode})`, () => {
    let running: RunningService;

    beforeAll(async () => {
      running = await startService(likesService, await infrastructure(), {
        host: '127.0.0.1',
        port: 0,
        metricsPort: 0,
      });
    });

    afterAll(async () => {
      await running.app.close();
    });

    const like = (post: string, accountId: string, correlationId = `corr-${post}-${accountId}`) =>
      fetch(`${running.url}/likes/${post}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
        body: JSON.stringify({ accountId }),
      });
    const likers = async (post: string) =>
      (
        (await (await fetch(`${running.url}/likes/${post}/count`, { method: 'POST' })).json()) as {
          likers: string[];
        }
      ).likers;

    it('projects a command into the read model and runs the policy under the request correlation', async () => {
      const post = `p-${Date.now().toString(36)}`;
      expect((await like(post, 'amy', 'corr-amy-likes-1')).status).toBe(201);
      expect((await like(post, 'bo')).status).toBe(201);
      expect((await like(post, 'amy')).status).toBe(201);

      await eventually(async () => ((await likers(post)).length === 2 ? true : undefined));
      expect(await likers(post)).toEqual(['amy', 'bo']);
      const seen = await eventually(async () =>
        audit.find((a) => a.accountId === 'amy' && a.correlationId === 'corr-amy-likes-1'),
      );
      expect(seen.type).toBe('parley.post.liked.v2');
      expect(seen.causationId).toEqual(expect.any(String));
    });

    it('answers bad input with problem+json naming the field', async () => {
      const response = await fetch(`${running.url}/likes/p1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accountId: '', extra: true }),
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await response.json()) as { code: string; errors: { field: string }[] };
      expect(problem.code).toBe('validation-failed');
      // The unknown field named as itself, beside the invalid one.
      expect(problem.errors.map((e) => e.field).sort()).toEqual(['accountId', 'extra']);
    });

    it('answers malformed JSON with 400, an oversized body with 413 and an unknown route with 404, all problem+json', async () => {
      const malformed = await fetch(`${running.url}/likes/p1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"accountId": ',
      });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { code: string }).code).toBe('malformed-json');

      const huge = await fetch(`${running.url}/likes/p1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accountId: 'x'.repeat(300 * 1024) }),
      });
      expect(huge.status).toBe(413);
      expect(huge.headers.get('content-type')).toContain('application/problem+json');

      const missing = await fetch(`${running.url}/nowhere`);
      expect(missing.status).toBe(404);
      const problem = (await missing.json()) as { code: string; correlationId: string };
      expect(problem.code).toBe('not-found');
      expect(problem.correlationId).toBe(missing.headers.get('x-correlation-id'));
    });

    it('dead-letters a poison message and keeps projecting what follows it', async () => {
      const topic = running.infra.topicName('posts');
      const post = `poison-${Date.now().toString(36)}`;
      await running.infra.bus.publisher().publish([
        {
          topic,
          messages: [
            {
              key: `post-${post}`,
              value: '{"not":"a like"}',
              headers: { ce_type: 'parley.post.liked.v2', ce_id: 'x' },
            },
          ],
        },
      ]);
      expect((await like(post, 'cy')).status).toBe(201);
      await eventually(async () => ((await likers(post)).includes('cy') ? true : undefined));

      const dead: IncomingMessage[] = [];
      const reader = running.infra.bus.consumer({
        groupId: `dlq-reader-${post}`,
        topics: [dlqOf(topic)],
        fromBeginning: true,
        handler: async (m) => {
          dead.push(m);
        },
      });
      await reader.start();
      await eventually(async () => (dead.some((m) => m.key === `post-${post}`) ? true : undefined));
      await reader.stop();
      expect(dead.find((m) => m.key === `post-${post}`)?.headers['x-dlq-error']).toMatch(
        /CloudEvents headers|schema/,
      );
    });

    it("hands an event handler's error to its consumer as thrown: a permanent one is dead-lettered at once, with its message", async () => {
      const post = `refusal-${Date.now().toString(36)}`;
      expect((await like(post, 'refused-dee')).status).toBe(201);
      const dead: IncomingMessage[] = [];
      const reader = running.infra.bus.consumer({
        groupId: `dlq-reader-${post}`,
        topics: [dlqOf(running.infra.topicName('posts'))],
        fromBeginning: true,
        handler: async (m) => {
          dead.push(m);
        },
      });
      await reader.start();
      const refused = await eventually(async () => dead.find((m) => m.key === `post-${post}`));
      await reader.stop();
      expect(refused.headers['x-dlq-error']).toBe('PermanentError: the audit refuses refused-dee');
      expect(refused.headers['x-dlq-attempts']).toBe('1');
      expect(refused.headers['x-dlq-consumer-group']).toMatch(/parley-likes\.audit$/);
    });

    it('exposes Prometheus metrics on their own port only: requests, events appended and published, consumer timings', async () => {
      expect((await fetch(`${running.url}/metrics`)).status).toBe(404);
      expect(running.metricsUrl).toBeDefined();
      expect(running.metricsUrl).not.toBe(running.url);
      const text = await (await fetch(`${running.metricsUrl}/metrics`)).text();
      expect(text).toMatch(
        /parley_http_request_duration_ms_count\{service="likes",method="POST",route="\/likes\/:postId",status="201"\} \d+/,
      );
      expect(text).toMatch(
        /parley_events_appended_total\{service="likes",type="parley.post.liked.v2"\} [1-9]/,
      );
      expect(text).toMatch(/parley_relay_events_published_total\{service="likes"\} [1-9]/);
      expect(text).toMatch(
        /parley_consumer_processing_ms_count\{service="likes",group="parley-likes.audit"/,
      );
      expect(text).toMatch(
        /parley_dead_letters_total\{service="likes",group="parley-likes.like-counts.g1"/,
      );
    });

    it('rebuilds the read model from the log into a new generation with the same documents, and swaps it in', async () => {
      const post = `rebuild-${Date.now().toString(36)}`;
      for (const reader of ['a', 'b', 'c']) expect((await like(post, reader)).status).toBe(201);
      await eventually(async () => ((await likers(post)).length === 3 ? true : undefined));
      const before = await running.infra.readModels
        .db('like-counts')
        .collection<LikeCount>('like_counts')
        .find({}, { sort: { _id: 1 } });

      const result = await rebuildProjection({
        service: 'likes',
        projection: likeCounts,
        bus: running.infra.bus,
        store: running.infra.documents,
        topicName: (key) => running.infra.topicName(key),
      });
      expect(result.generation).toBe(2);
      expect(result.events).toBeGreaterThanOrEqual(before.length);
      const rebuilt = await running.infra.readModels.store
        .collection<LikeCount>('like_counts_g2')
        .find({}, { sort: { _id: 1 } });
      expect(rebuilt).toEqual(before);

      if (!running.infra.documents.volatile) {
        await eventually(async () =>
          running.infra.readModels.db('like-counts').generation === 2 ? true : undefined,
        );
        expect((await like(post, 'd')).status).toBe(201);
        await eventually(async () => ((await likers(post)).length === 4 ? true : undefined));
      }
    });
  });
}
