// Reply notifications end to end on the real broker and Mongo-compatible server: a reply
// is appended to the comments service's store, its relay publishes it, the notifications
// service decides who is notified, appends the notification, its relay publishes that, the
// delivery consumer sends the mail, and a real SMTP server accepts it. Measured from the
// append acknowledged to the SMTP server's acceptance.
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@parley/config';
import { type DomainEvent, topicName, topicOfType } from '@parley/contracts';
import { MongoEventStore, MongoLeaseStore } from '@parley/eventstore';
import { Relay } from '@parley/messaging';
import { SmtpMailer } from '@parley/mail';
import { KafkaMessageBus } from '@parley/messaging';
import { createLogger } from '@parley/observability';
import { createDistributedInfrastructure, startService } from '@parley/platform';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { SMTPServer } from 'smtp-server';
import { notificationsService } from '../apps/notifications/src/notifications.service';
import { median, percentile, report, round } from './support';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const MONGO = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/parley';
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
/** A steady rate the dev stack keeps up with, and one past what FerretDB's scans sustain. */
const LOADS = [
  { rate: Number(process.env.BENCH_RATE ?? 1), samples: Number(process.env.BENCH_SAMPLES ?? 60) },
  {
    rate: Number(process.env.BENCH_HIGH_RATE ?? 5),
    samples: Number(process.env.BENCH_HIGH_SAMPLES ?? 100),
  },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

function database(name: string): string {
  const url = new URL(MONGO);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The comment a notification mail links to (quoted-printable soft breaks undone). */
function commentOf(raw: string): string | undefined {
  return /#comment-(c-[a-z0-9-]+)/.exec(raw.replace(/=\r\n/g, ''))?.[1];
}

async function run(index: number, RATE: number, SAMPLES: number): Promise<number[]> {
  const tag = `${Date.now().toString(36)}${index}`;
  const prefix = `bench-ntf-${tag}`;
  const acceptedAt = new Map<string, number>();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        callback();
        const comment = commentOf(raw);
        if (comment && !acceptedAt.has(comment)) acceptedAt.set(comment, performance.now());
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;

  const config = loadConfig('notifications', {
    KAFKA_BROKERS: BROKERS.join(','),
    MONGODB_URI: database(`bench_ntf_${tag}`),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_TOPIC_PARTITIONS: '12',
    SMTP_URL: smtpUrl,
    TOKEN_SECRET: 'bench-token-secret-0123456789abcdef',
    // No comments service runs: the bench's comment events carry plaintext, which needs no opening.
    COMMENTS_URL: 'http://127.0.0.1:9',
    // Nor does a gateway: the bench's account events carry plaintext too.
    IDENTITY_URL: 'http://127.0.0.1:9',
    // Appends in the process wake the relay at once; the scan is only a fallback (and scans cost on FerretDB).
    RELAY_POLL_MS: '500',
  });
  const logger = createLogger('notifications', 'silent');
  const infra = await createDistributedInfrastructure(config, logger);
  const service = await startService(
    notificationsService({
      mailer: new SmtpMailer(smtpUrl),
      from: config.smtp.from,
      tokenSecret: config.tokens.secret,
      publicBaseUrl: config.publicBaseUrl,
    }),
    infra,
    { host: '127.0.0.1', port: 0 },
  );

  // The comments service's side: its own store and relay, publishing to the same topics.
  const kafka = new Kafka({ clientId: 'bench-ntf', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const bus = new KafkaMessageBus(kafka, { consumerMaxWaitMs: 20 });
  const connection = await mongoose.createConnection(database(`bench_ntf_src_${tag}`)).asPromise();
  const store = new MongoEventStore(connection, '/parley/comments', 'commits');
  await store.init();
  const relay = new Relay(store, bus.publisher(), new MongoLeaseStore(connection), {
    name: `relay:bench-${tag}`,
    topicFor: (type) => {
      const key = topicOfType(type);
      return key ? topicName(key, prefix) : undefined;
    },
    pollMs: 500,
  });
  relay.start();
  const context = { correlationId: `bench-${tag}`, causationId: null };
  const at = () => new Date().toISOString();

  const author = `author-${tag}`;
  const reader = `reader-${tag}`;
  for (const accountId of [author, reader]) {
    await store.append(
      `account-${accountId}`,
      0,
      [
        {
          type: 'parley.account.registered.v2',
          data: {
            accountId,
            email: `${accountId}@example.com`,
            displayName: accountId,
            roles: ['author'],
            registeredAt: at(),
          },
        },
        {
          type: 'parley.account.email-verified.v2',
          data: { accountId, email: `${accountId}@example.com`, verifiedAt: at() },
        },
      ],
      context,
    );
  }
  const postId = `post-${tag}`;
  const root = `c-${tag}-root`;
  const posted = (commentId: string, parentId: string | null, by: string): DomainEvent => ({
    type: 'parley.comment.posted.v3',
    data: {
      commentId,
      postId,
      parentId,
      ancestorIds: parentId ? [parentId] : [],
      ancestorAuthorIds: parentId ? [author] : [],
      depth: parentId ? 2 : 1,
      author: { kind: 'account', accountId: by, displayName: by },
      body: 'A reply worth hearing about',
      html: '<p>A reply worth hearing about</p>',
      status: 'approved',
      moderationReason: null,
      notify: 'none',
      postAuthorId: author,
      postTitle: 'Benchmarks',
      postSlug: postId,
      viewerTokenHash: null,
      postedAt: at(),
    },
  });
  await store.append(`comment-${root}`, 0, [posted(root, null, author)], context);

  // Warm up until the whole path delivers.
  for (let i = 0; ; i++) {
    const warm = `c-${tag}-warm-${i}`;
    await store.append(`comment-${warm}`, 0, [posted(warm, root, reader)], context);
    const deadline = Date.now() + 10_000;
    while (!acceptedAt.has(warm) && Date.now() < deadline) await sleep(20);
    if (acceptedAt.has(warm)) break;
    if (i > 10) throw new Error('the notification path never delivered');
  }

  const appendedAt = new Map<string, number>();
  const interval = 1000 / RATE;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const wait = started + i * interval - performance.now();
    if (wait > 0) await sleep(wait);
    const id = `c-${tag}-${i}`;
    inflight.push(
      store.append(`comment-${id}`, 0, [posted(id, root, reader)], context).then(() => {
        appendedAt.set(id, performance.now());
      }),
    );
  }
  await Promise.all(inflight);
  await waitFor(() => [...appendedAt.keys()].every((id) => acceptedAt.has(id)));
  const latencies = [...appendedAt].map(([id, t]) => (acceptedAt.get(id) ?? Number.NaN) - t);

  await relay.stop();
  await service.app.close();
  await bus.close();
  await connection.dropDatabase();
  await connection.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  return latencies;
}

async function main(): Promise<void> {
  const results = [];
  for (const load of LOADS) {
    const p50: number[] = [];
    const p99: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const latencies = await run(i, load.rate, load.samples);
      p50.push(percentile(latencies, 50));
      p99.push(percentile(latencies, 99));
    }
    results.push({ ...load, p50: round(median(p50)), p99: round(median(p99)) });
  }
  const data = { runs: RUNS, replyToSmtpAcceptedMs: results };
  report(
    'notifications',
    'Reply notifications: reply appended → mail accepted by the SMTP server',
    data,
    [
      ['Measure', 'Parley'],
      ...results.flatMap((r) => [
        [
          `Reply appended → SMTP accepted, p50 (${r.rate} replies/s, ${r.samples} replies)`,
          `${round(r.p50, 1)} ms`,
        ],
        [
          `Reply appended → SMTP accepted, p99 (${r.rate} replies/s, ${r.samples} replies)`,
          `${round(r.p99, 1)} ms`,
        ],
      ]),
    ],
    [
      `Medians of ${RUNS} run(s) per rate; every reply answers the post author's comment, so each mails the post author once.`,
      'Path: append to the comments store → relay → Kafka → policy consumer (subscriptions and directory read models) → notification appended → relay → Kafka → delivery consumer (ledger check, attempt recorded, SMTP send, outcome recorded) → accepted by a real SMTP server (smtp-server) on loopback.',
      'Kafka 3.9 (one KRaft node) and FerretDB 1.24 (SQLite backend: every query scans its whole collection, no index is used) on one 2-core machine shared with other workloads; the clock starts when the append is acknowledged. Each reply costs about fifteen such scans (event streams, read models, relay), so the higher rate outruns the store and the figure there is mostly queueing.',
      'Command: `npm run bench -- notifications` (needs the local Kafka and FerretDB, or KAFKA_BROKERS / MONGODB_URI).',
    ],
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
