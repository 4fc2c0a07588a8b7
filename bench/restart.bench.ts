// Restart: how long `npm start` takes on a data folder holding a blog's comments until it serves
// their threads, replaying every log (nothing kept: the first start, or one after a crash) beside
// taking the read models a clean stop kept, in the same run, on the same folder.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAverage } from './stack';
import { median, report, round } from './support';
import { writeWxrFile } from './wxr-file';

const MAIN = join(__dirname, '..', 'apps', 'standalone', 'src', 'main.js');
const SIZES = (process.env.BENCH_RESTART_COMMENTS ?? '20000,100000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PER_POST = 100;
const SERVICES = ['gateway', 'posts', 'comments', 'notifications'];
const MiB = 1024 * 1024;

function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

/** The standalone entry point on the data folder, with `args`, as `npm start` or a command runs it. */
function run(dataDir: string, args: string[]): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', resolve));

async function until<T>(ask: () => Promise<T | undefined>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const answer = await ask().catch(() => undefined);
    if (answer !== undefined) return answer;
    if (Date.now() > deadline) throw new Error('no answer in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Thread {
  totals: { comments: number };
}

/**
 * Starts Parley on the folder and measures until it serves the newest post's whole thread
 * (`expected` comments; learned on the first start, once the count holds for a second).
 */
async function start(dataDir: string, expected: number | undefined) {
  const started = performance.now();
  const child = run(dataDir, []);
  const url = await until(async () => {
    const found = /running on (http:\/\/\S+)/.exec(child.output());
    return found?.[1]?.replace('localhost', '127.0.0.1');
  }, 300_000);
  const listening = performance.now() - started;
  const get = async <T>(path: string) => (await (await fetch(`${url}${path}`)).json()) as T;
  const postId = (await get<{ items: { id: string }[] }>('/api/v1/posts?limit=1')).items[0]!.id;
  const count = async () => (await get<Thread>(`/api/v1/posts/${postId}/comments`)).totals.comments;
  let comments: number;
  if (expected === undefined) {
    let last = -1;
    let since = performance.now();
    for (;;) {
      const now = await count();
      if (now !== last) [last, since] = [now, performance.now()];
      if (now > 0 && performance.now() - since > 1_000) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    comments = last;
  } else {
    comments = await until(
      async () => ((await count()) >= expected ? expected : undefined),
      300_000,
    );
  }
  const ready = performance.now() - started;
  const { rss } = memory(child.pid!);
  child.kill('SIGTERM');
  const code = await exited(child);
  if (code !== 0) throw new Error(`npm start exited with ${code}:\n${child.output().slice(-2000)}`);
  return { listening, ready, rss, comments };
}

function keptFiles(dataDir: string): string[] {
  return SERVICES.flatMap((service) => {
    const file = join(dataDir, service, 'read-models.jsonl');
    return [file, `${file}.key`];
  });
}

/** Imports `comments` into a new folder, then starts on it `RUNS` times each way, alternating. */
async function measure(comments: number) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-restart-'));
  const dataDir = join(dir, 'data');
  try {
    const file = join(dir, 'generated.wordpress.xml');
    const written = await writeWxrFile(file, {
      posts: Math.ceil(comments / PER_POST),
      commentsPerPost: Math.min(PER_POST, comments),
    });
    const importing = run(dataDir, ['import', 'wordpress', file]);
    if ((await exited(importing)) !== 0)
      throw new Error(`the import failed:\n${importing.output().slice(-2000)}`);
    process.stdout.write(`imported ${written.comments} comments on ${written.posts} posts\n`);

    const replayed: { ready: number; listening: number; rss: number }[] = [];
    const kept: typeof replayed = [];
    let expected: number | undefined;
    for (let i = 0; i < RUNS; i++) {
      for (const path of keptFiles(dataDir)) rmSync(path, { force: true });
      const replay = await start(dataDir, expected);
      expected = replay.comments;
      replayed.push(replay);
      if (!keptFiles(dataDir).every((path) => existsSync(path)))
        throw new Error('the stop kept no read models');
      const taken = await start(dataDir, expected);
      kept.push(taken);
      process.stdout.write(
        `${written.comments} comments, run ${i + 1}: replaying every log ${Math.round(replay.ready)} ms, kept read models ${Math.round(taken.ready)} ms\n`,
      );
    }
    const summary = (runs: typeof replayed) => ({
      listening: median(runs.map((r) => r.listening)) / 1000,
      ready: median(runs.map((r) => r.ready)) / 1000,
      rss: median(runs.map((r) => r.rss)) / MiB,
    });
    return {
      comments: written.comments,
      posts: written.posts,
      thread: expected ?? 0,
      replayed: summary(replayed),
      kept: summary(kept),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes: Awaited<ReturnType<typeof measure>>[] = [];
  for (const comments of SIZES) sizes.push(await measure(comments));
  const row = (
    mode: string,
    size: (typeof sizes)[number],
    figures: (typeof sizes)[number]['kept'],
  ) => [
    mode,
    String(size.comments),
    String(round(figures.listening, 1)),
    String(round(figures.ready, 1)),
    String(Math.round(figures.rss)),
    `${round(size.replayed.ready / figures.ready, 2)}×`,
    size.comments >= 100_000 && mode.startsWith('read models')
      ? figures.ready < 5
        ? 'met'
        : 'missed'
      : '',
  ];
  report(
    'restart',
    'Restart: npm start on a data folder of imported comments, until it serves them',
    { runs: RUNS, sizes },
    [
      [
        'Start',
        'Comments stored',
        'Listening, s',
        'Serving the threads, s',
        'RSS then, MiB',
        'Ratio',
        'Target (< 5 s at 100,000)',
      ],
      ...sizes.flatMap((size) => [
        row('every log replayed (first start, or after a crash)', size, size.replayed),
        row('read models kept by the last stop', size, size.kept),
      ]),
    ],
    [
      `Each folder: a generated WordPress export (${sizes.map((s) => `${s.comments} comments on ${s.posts} posts`).join('; ')}) imported with \`npm run import -- wordpress\`. Each start runs \`node dist/apps/standalone/src/main.js\` (what \`npm start\` runs once built) and stops with SIGTERM; medians of ${RUNS} starts of each kind, alternating.`,
      "Serving the threads: from the spawn until the newest post's thread counts all its comments (the count a start replaying every log settles on); listening: until the process prints its address. The baseline is the start that replays every log (the stop's kept files removed first); the ratio is how many times faster each start serves.",
      "What limits a start with kept read models (--cpu-prof, 100,000 comments): until it listens, Node loading the code (about 0.5 s), decrypting the kept files (about 0.3 s; the four are read from disk at once, while the services before them start), reading where each commit and message lies in the logs and topics (about 0.3 s; they are read from their files when needed, not held in memory) and starting the four apps. The kept documents are not parsed before it listens: a collection takes its documents when it is first used, and the rest are taken 2,000 at a time between requests. From listening to serving, the first thread read takes the comments service's comment documents (100,000, about 150 MB of JSON: parsing them and building their index is most of that second), then answers. Before 2026-11-29 every kept document was parsed before the process listened: 5.2 s at 100,000 comments. Without kept read models, every projection of every service replays every event, each consumer group decoding each message from the topic's file.",
      `Load average after the runs: ${loadAverage()}.`,
      'Command: `npm run bench -- restart` (BENCH_RESTART_COMMENTS, a comma-separated list of sizes; BENCH_RUNS).',
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
