// Database round trips per operation on the distributed services (real Kafka broker and
// Mongo-compatible server), counted by the driver's command monitoring in each service and
// attributed to an operation by the correlation id that follows it through HTTP, Kafka and
// the consumers. FerretDB scans every collection whatever the indexes, so the count of round
// trips, not their time, is what carries over to MongoDB.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@parley/config';
import type { PostCommentResponse } from '@parley/contracts';
import { SmtpMailer } from '@parley/mail';
import { createLogger } from '@parley/observability';
import {
  type DatabaseCommand,
  type RunningService,
  type ServiceDefinition,
  type ServiceInfrastructure,
  createDistributedInfrastructure,
  startService,
} from '@parley/platform';
import mongoose from 'mongoose';
import { SMTPServer } from 'smtp-server';
import { commentsService } from '../apps/comments/src/comments.service';
import { gatewayService } from '../apps/gateway/src/gateway.service';
import { notificationsService } from '../apps/notifications/src/notifications.service';
import { postsService } from '../apps/posts/src/posts.service';
import { seedPost, startBlog } from './seed';
import { freePort, sleep } from './stack';
import { report } from './support';

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const MONGO = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/parley';
const COMMENTS = Number(process.env.BENCH_ROUNDTRIP_COMMENTS ?? 50);
type Name = 'posts' | 'comments' | 'notifications' | 'gateway';

interface Running {
  name: Name;
  infra: ServiceInfrastructure;
  service: RunningService;
  mongoUri: string;
}

async function start(
  name: Name,
  definition: ServiceDefinition,
  tag: string,
  extra: Record<string, string> = {},
): Promise<Running> {
  const mongo = new URL(MONGO);
  mongo.pathname = `/bench_rt_${tag}_${name}`;
  // The base configuration each service shares; what is its own comes in its definition.
  const config = loadConfig('posts', {
    // Only its infrastructure is used: no account's data is opened through it.
    IDENTITY_URL: 'http://127.0.0.1:9',
    KAFKA_BROKERS: BROKERS,
    MONGODB_URI: mongo.toString(),
    KAFKA_TOPIC_PREFIX: `bench-rt-${tag}`,
    KAFKA_CLIENT_ID: `parley-${name}`,
    ...extra,
  });
  const infra = await createDistributedInfrastructure(
    config,
    createLogger(name, 'warn'),
    undefined,
    name,
  );
  const service = await startService(definition, infra, { host: '127.0.0.1', port: 0 });
  return { name, infra, service, mongoUri: mongo.toString() };
}

async function documentsStored(uri: string): Promise<number> {
  const connection = await mongoose.createConnection(uri).asPromise();
  try {
    const db = connection.db!;
    let total = 0;
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray())
      total += await db.collection(name).countDocuments();
    return total;
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData: (stream, _session, done) => {
      stream.resume();
      stream.on('end', () => done());
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const address = smtp.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const mailer = new SmtpMailer(`smtp://127.0.0.1:${port}`);
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const running: Running[] = [];
  // The gateway starts last: the others are given its internal listener's address first.
  const internal = { host: '127.0.0.1', port: await freePort() };
  const identityUrl = `http://127.0.0.1:${internal.port}`;
  try {
    const posts = await start('posts', postsService(undefined, { identityUrl }), tag);
    running.push(posts);
    const comments = await start('comments', commentsService({ identityUrl }), tag);
    running.push(comments);
    const notifications = await start(
      'notifications',
      notificationsService({
        mailer,
        from: 'Parley <notifications@bench.example>',
        tokenSecret: 'a-benchmark-link-token-secret-32-chars',
        publicBaseUrl: 'https://bench.example',
        identityUrl,
      }),
      tag,
    );
    running.push(notifications);
    const gateway = await start(
      'gateway',
      gatewayService({
        services: {
          postsUrl: posts.service.url,
          commentsUrl: comments.service.url,
          notificationsUrl: notifications.service.url,
          timeoutMs: 30_000,
        },
        auth: {
          jwtSecret: 'a-benchmark-secret-of-at-least-32-chars',
          accessTtlSeconds: 3600,
          refreshTtlDays: 30,
        },
        publicBaseUrl: 'https://bench.example',
        mail: { mailer, from: 'Parley <accounts@bench.example>' },
        cors: { origins: ['https://bench.example'] },
        rateLimits: { perMinute: 10_000_000, writesPerMinute: 10_000_000 },
        internal,
      }),
      tag,
    );
    running.push(gateway);
    const base = gateway.service.url;
    const blog = await startBlog(base);
    const post = await seedPost(blog, 'Round trips', COMMENTS);
    for (const r of running) r.infra.databaseCommands?.startRecording();

    const commandsFor = (id: string): Record<Name, DatabaseCommand[]> =>
      Object.fromEntries(
        running.map((r) => [r.name, r.infra.databaseCommands?.commandsFor(id) ?? []]),
      ) as Record<Name, DatabaseCommand[]>;
    const count = (id: string) =>
      Object.values(commandsFor(id)).reduce((sum, list) => sum + list.length, 0);
    const settled = async (id: string) => {
      let last = count(id);
      let quietSince = Date.now();
      while (Date.now() - quietSince < 2_000) {
        await sleep(200);
        if (count(id) !== last) {
          last = count(id);
          quietSince = Date.now();
        }
      }
      return last;
    };
    const call = async (
      method: string,
      path: string,
      id: string,
      body?: unknown,
      token?: string,
    ): Promise<{ status: number; text: string }> => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          'x-correlation-id': id,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
      return { status: response.status, text };
    };
    const newId = (label: string) => `bench-rt-${label}-${randomUUID()}`;

    const commentId = newId('comment');
    await call(
      'POST',
      `/api/v1/posts/${post.id}/comments`,
      commentId,
      { body: 'One more comment, counted.' },
      blog.reader.accessToken,
    );
    const beforeAnswer = count(commentId);
    const own = commandsFor(commentId).comments.filter((c) => c.causationId === undefined);
    const appended = own.findIndex((c) => c.command === 'insert' && c.collection === 'commits');
    const commentTotal = await settled(commentId);

    const threadId = newId('thread');
    await call('GET', `/api/v1/posts/${post.id}/comments`, threadId);
    const keptId = newId('thread-kept');
    await call('GET', `/api/v1/posts/${post.id}/comments`, keptId);
    const pageId = newId('page');
    await call('GET', `/posts/${post.slug}`, pageId);

    const parent = JSON.parse(
      (
        await call(
          'POST',
          `/api/v1/posts/${post.id}/comments`,
          newId('parent'),
          { body: 'Tell me when someone answers.' },
          blog.admin.accessToken,
        )
      ).text,
    ) as PostCommentResponse;
    const replyId = newId('reply');
    const reply = JSON.parse(
      (
        await call(
          'POST',
          `/api/v1/posts/${post.id}/comments`,
          replyId,
          { body: 'An answer.', parentId: parent.id },
          blog.reader.accessToken,
        )
      ).text,
    ) as PostCommentResponse;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const inbox = await call(
        'GET',
        '/api/v1/notifications',
        newId('inbox'),
        undefined,
        blog.admin.accessToken,
      );
      if (inbox.text.includes(reply.id)) break;
      await sleep(200);
    }
    const replyTotal = await settled(replyId);
    const replyInNotifications = commandsFor(replyId).notifications.length;

    const stored: Record<string, number> = {};
    for (const r of running) stored[r.name] = await documentsStored(r.mongoUri);
    const documents = Object.values(stored).reduce((a, b) => a + b, 0);

    const figures = {
      commentDecideAndAppend: appended + 1,
      commentWait: own.length - appended - 1,
      commentBeforeAnswer: beforeAnswer,
      commentTotal,
      threadAfterWrite: count(threadId),
      threadKept: count(keptId),
      page: count(pageId),
      replyToInboxNotifications: replyInNotifications,
      replyToInboxTotal: replyTotal,
    };
    report(
      'roundtrips',
      'Database round trips per operation (distributed services)',
      { comments: COMMENTS + 3, documents, stored, figures },
      [
        ['Operation', 'Round trips', 'Target'],
        [
          'POST a comment: decide and append',
          String(figures.commentDecideAndAppend),
          '≤ 3 before the answer',
        ],
        [
          'POST a comment: read-your-writes wait (a poll)',
          String(figures.commentWait),
          '0 (a signal)',
        ],
        [
          'POST a comment: before the answer, every service',
          String(figures.commentBeforeAnswer),
          '',
        ],
        ['POST a comment: until every view and policy has it', String(figures.commentTotal), ''],
        ['GET a thread page, after a write', String(figures.threadAfterWrite), '≤ 2'],
        ['GET a thread page, answer kept', String(figures.threadKept), '≤ 2'],
        ['GET the reader page (thread answer kept)', String(figures.page), ''],
        [
          'A reply to the parent author’s inbox: notifications',
          String(figures.replyToInboxNotifications),
          '',
        ],
        [
          'A reply to the parent author’s inbox: every service',
          String(figures.replyToInboxTotal),
          '',
        ],
      ],
      [
        `Documents stored across the four services' databases at the end: ${documents} (${Object.entries(
          stored,
        )
          .map(([n, d]) => `${n} ${d}`)
          .join(', ')}), with ${COMMENTS + 3} comments on the measured post.`,
        'Counted by the MongoDB driver’s command monitoring (DatabaseCommandMonitor), one command = one round trip; a command is attributed to an operation by the correlation id it ran under (the request, then the events it caused in every consumer). Health pings are not counted.',
        'The same operations are held under bounds by test/cost/round-trips.int-spec.ts; every query shape of the story is checked against the declared indexes by test/e2e/story.e2e-spec.ts.',
        'Command: `npm run bench -- roundtrips` (needs the local Kafka and FerretDB, or KAFKA_BROKERS / MONGODB_URI).',
      ],
    );
  } finally {
    for (const r of [...running].reverse()) {
      // Closing the app closes its infrastructure too.
      await r.service.app.close().catch(() => undefined);
    }
    await mailer.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
