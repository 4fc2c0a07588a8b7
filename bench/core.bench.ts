// The event-sourcing core on the real broker and Mongo-compatible server:
// append throughput, and append → relay → Kafka → consumer latency next to a bare
// kafkajs produce → consume round trip on the same broker, in the same run.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dlqOf } from '@parley/contracts';
import {
  EmbeddedEventStore,
  type EventStore,
  MongoEventStore,
  MongoLeaseStore,
} from '@parley/eventstore';
import { KafkaMessageBus, Relay } from '@parley/messaging';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { bareKafkaRoundTrips, median, percentile, report, round } from './support';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const MONGO = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/parley';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 2000);
const CONCURRENCY = 16;

const context = { correlationId: 'bench-core', causationId: null };
const liked = (i: number) => ({
  type: 'parley.post.liked.v2' as const,
  data: {
    postId: `p${i}`,
    accountId: `a${i}`,
    displayName: 'Bench',
    likedAt: new Date().toISOString(),
  },
});

async function appendThroughput(store: EventStore): Promise<number> {
  const run = randomUUID().slice(0, 8);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < COMMITS; i = next++)
        await store.append(`post-${run}-${i}`, 0, [liked(i)], context);
    }),
  );
  return COMMITS / ((performance.now() - started) / 1000);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends SAMPLES messages at RATE per second; `send` resolves when the send is acknowledged. */
async function paced(send: (i: number) => Promise<void>): Promise<void> {
  const interval = 1000 / RATE;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inflight.push(send(i));
  }
  await Promise.all(inflight);
}

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

async function relayLatency(kafka: Kafka, connection: mongoose.Connection): Promise<number[]> {
  const topic = `bench-core-relay-${randomUUID().slice(0, 8)}`;
  const bus = new KafkaMessageBus(kafka, { consumerMaxWaitMs: 20 });
  await bus.ensureTopics([
    { name: topic, partitions: 12 },
    { name: dlqOf(topic), partitions: 1 },
  ]);
  const store = new MongoEventStore(
    connection,
    '/parley/bench',
    `bench_commits_${randomUUID().slice(0, 8)}`,
  );
  await store.init();
  const relay = new Relay(store, bus.publisher(), new MongoLeaseStore(connection), {
    name: `bench-${topic}`,
    topicFor: () => topic,
    pollMs: 50,
  });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const consumer = bus.consumer({
    groupId: `${topic}-group`,
    topics: [topic],
    fromBeginning: true,
    handler: async (m) => {
      const start = sentAt.get(m.key ?? '');
      if (start !== undefined) latencies.push(performance.now() - start);
    },
  });
  await consumer.start();
  relay.start();
  await sleep(500);
  await paced(async (i) => {
    const stream = `post-${topic}-${i}`;
    const appended = store.append(stream, 0, [liked(i)], context);
    // The clock starts when the append is acknowledged: what a user's 201 waits for.
    await appended;
    sentAt.set(stream, performance.now());
  });
  await waitFor(() => latencies.length >= SAMPLES);
  await relay.stop();
  await bus.close();
  return latencies;
}

async function main(): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-core', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const url = new URL(MONGO);
  url.pathname = `/bench_core_${Date.now().toString(36)}`;
  const connection = await mongoose.createConnection(url.toString()).asPromise();
  const dir = await mkdtemp(join(tmpdir(), 'parley-bench-'));

  const mongoRates: number[] = [];
  const embeddedRates: number[] = [];
  const relay: { p50: number[]; p99: number[] } = { p50: [], p99: [] };
  const bare: { p50: number[]; p99: number[] } = { p50: [], p99: [] };
  for (let run = 0; run < RUNS; run++) {
    const mongoStore = new MongoEventStore(connection, '/parley/bench', `bench_append_${run}`);
    await mongoStore.init();
    mongoRates.push(await appendThroughput(mongoStore));
    const embedded = await EmbeddedEventStore.open('/parley/bench', join(dir, `run-${run}.jsonl`));
    embeddedRates.push(await appendThroughput(embedded));
    await embedded.close();

    const ours = await relayLatency(kafka, connection);
    relay.p50.push(percentile(ours, 50));
    relay.p99.push(percentile(ours, 99));
    const baseline = await bareKafkaRoundTrips(kafka, {
      label: 'core',
      rate: RATE,
      count: SAMPLES,
      value: (i) => JSON.stringify(liked(i).data),
    });
    bare.p50.push(percentile(baseline, 50));
    bare.p99.push(percentile(baseline, 99));
  }
  await connection.dropDatabase();
  await connection.close();
  await rm(dir, { recursive: true, force: true });

  const ms = (v: number) => `${round(v, 1)} ms`;
  const data = {
    runs: RUNS,
    rate: RATE,
    samples: SAMPLES,
    appendCommitsPerSecond: {
      mongo: round(median(mongoRates), 0),
      embedded: round(median(embeddedRates), 0),
      concurrency: CONCURRENCY,
    },
    latencyMs: {
      relayToConsumer: { p50: round(median(relay.p50)), p99: round(median(relay.p99)) },
      bareKafkajs: { p50: round(median(bare.p50)), p99: round(median(bare.p99)) },
    },
  };
  report(
    'core',
    'Event-sourcing core: append throughput and relay latency',
    data,
    [
      ['Measure', 'Parley', 'Baseline', 'Ratio'],
      [
        'Append, Mongo-compatible server (FerretDB), commits/s',
        String(data.appendCommitsPerSecond.mongo),
        '—',
        '—',
      ],
      [
        'Append, embedded JSON-lines log (fsync), commits/s',
        String(data.appendCommitsPerSecond.embedded),
        '—',
        '—',
      ],
      [
        `Append acknowledged → consumer, p50 (${RATE}/s)`,
        ms(data.latencyMs.relayToConsumer.p50),
        `${ms(data.latencyMs.bareKafkajs.p50)} (bare kafkajs produce → consume)`,
        `${round(data.latencyMs.relayToConsumer.p50 / data.latencyMs.bareKafkajs.p50, 1)}×`,
      ],
      [
        `Append acknowledged → consumer, p99 (${RATE}/s)`,
        ms(data.latencyMs.relayToConsumer.p99),
        ms(data.latencyMs.bareKafkajs.p99),
        `${round(data.latencyMs.relayToConsumer.p99 / data.latencyMs.bareKafkajs.p99, 1)}×`,
      ],
    ],
    [
      `Medians of ${RUNS} runs; ${SAMPLES} events per latency run at ${RATE} events/s, one new stream per event; appends with ${CONCURRENCY} concurrent writers, ${COMMITS} commits per run.`,
      'The relay is woken by each append in its process (no polling interval on the path); the consumer fetches with maxWaitTimeInMs 20.',
      'Parley latency = relay reads the unpublished commit, publishes (acks=all, idempotent producer), marks it published; the consumer group fetches and hands it to the handler. The baseline is one kafkajs send (acks=all) to one eachMessage.',
      'Command: `npm run bench -- core` (needs the local Kafka and FerretDB, or KAFKA_BROKERS / MONGODB_URI).',
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
