import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Kafka, Partitioners } from 'kafkajs';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function machine(): Record<string, string | number> {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

const RESULTS_DIR = join(__dirname, '..', '..', 'bench', 'results');
const RESULTS_MD = join(__dirname, '..', '..', 'bench', 'RESULTS.md');

/** Writes bench/results/<name>.json and replaces the section <name> of bench/RESULTS.md. */
export function report(
  name: string,
  title: string,
  data: Record<string, unknown>,
  table: string[][],
  notes: string[],
): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const measuredAt = new Date().toISOString();
  writeFileSync(
    join(RESULTS_DIR, `${name}.json`),
    `${JSON.stringify({ name, measuredAt, machine: machine(), ...data }, null, 2)}\n`,
  );
  const [header, ...rows] = table;
  const md = [
    `<!-- bench:${name}:start -->`,
    `## ${title}`,
    '',
    `Measured ${measuredAt.slice(0, 10)} on ${machine().cpus} × ${machine().cpuModel}, ${machine().memoryGiB} GiB, Node ${process.version}.`,
    '',
    `| ${header!.join(' | ')} |`,
    `| ${header!.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    ...notes.map((n) => `- ${n}`),
    `<!-- bench:${name}:end -->`,
  ].join('\n');
  const existing = existsSync(RESULTS_MD)
    ? readFileSync(RESULTS_MD, 'utf8')
    : '# Benchmark results\n\nRun with `npm run bench` (all) or `npm run bench -- <name>`. Figures are medians over the repeated runs stated in each section.\n';
  const start = existing.indexOf(`<!-- bench:${name}:start -->`);
  const end = existing.indexOf(`<!-- bench:${name}:end -->`);
  const next =
    start >= 0 && end > start
      ? existing.slice(0, start) + md + existing.slice(end + `<!-- bench:${name}:end -->`.length)
      : `${existing.trimEnd()}\n\n${md}\n`;
  writeFileSync(RESULTS_MD, next);
  process.stdout.write(`${md}\n`);
}

/**
 * The baseline of the latency figures: `count` kafkajs sends (acks=all) at `rate` per second
 * to one eachMessage on a fresh 12-partition topic; the milliseconds from send to receipt of
 * each message that arrived within 30 s of the last send.
 */
export async function bareKafkaRoundTrips(
  kafka: Kafka,
  options: { label: string; rate: number; count: number; value: (i: number) => string },
): Promise<number[]> {
  const topic = `bench-${options.label}-bare-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 12 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `${topic}-group`, maxWaitTimeInMs: 20, minBytes: 1 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      const start = sentAt.get(message.key?.toString() ?? '');
      if (start !== undefined) latencies.push(performance.now() - start);
    },
  });
  await sleep(1000);
  const started = performance.now();
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < options.count; i++) {
    const wait = started + (i * 1000) / options.rate - performance.now();
    if (wait > 0) await sleep(wait);
    const key = `k-${i}`;
    sentAt.set(key, performance.now());
    inflight.push(producer.send({ topic, acks: -1, messages: [{ key, value: options.value(i) }] }));
  }
  await Promise.all(inflight);
  const deadline = Date.now() + 30_000;
  while (latencies.length < options.count && Date.now() < deadline) await sleep(10);
  await consumer.disconnect();
  await producer.disconnect();
  return latencies;
}
