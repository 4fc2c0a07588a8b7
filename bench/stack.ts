// Runs Parley for the HTTP benchmarks the way operators run it: the four services as
// separate processes on the real Kafka broker and Mongo-compatible server ('distributed'),
// or all of them in one process on the embedded adapters ('embedded'), and measures it
// from the outside: autocannon in a child process, resident memory from /proc.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { median } from './support';

export type Mode = 'embedded' | 'distributed';
export type ServiceName = 'gateway' | 'posts' | 'comments' | 'notifications';

const ROOT = join(__dirname, '..', '..');
let distCopy: string | undefined;

/**
 * A copy of dist/ of this run's own: another build emptying dist/ cannot pull files from under
 * the processes a benchmark starts. Their packages are found through NODE_PATH.
 */
function dist(): string {
  if (distCopy) return distCopy;
  const copy = mkdtempSync(join(tmpdir(), 'parley-bench-dist-'));
  cpSync(join(ROOT, 'dist'), copy, { recursive: true });
  process.once('exit', () => rmSync(copy, { recursive: true, force: true }));
  distCopy = copy;
  return copy;
}
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const MONGO = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/parley';
/** Rate limits out of the way: the benchmarks measure the platform, not flood control. */
const UNLIMITED = 10_000_000;

export interface RunningStack {
  mode: Mode;
  url: string;
  /** Process ids: one per service, or the single embedded process under every name. */
  pids: Record<ServiceName, number>;
  /** The database name prefix of the distributed services (one database each). */
  databasePrefix?: string;
  topicPrefix?: string;
  close(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited(child);
  clearTimeout(killer);
}

function spawnNode(script: string, env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, [...args, script], {
    cwd: ROOT,
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  return { child, stderr };
}

async function ready(url: string, child: ChildProcess, stderr: string[]): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`exited before ready: ${stderr.join('').slice(-2000)}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready: ${stderr.join('').slice(-2000)}`);
    await sleep(200);
  }
}

export interface StackOptions {
  smtpUrl: string;
  /** Extra node flags for every process (for example --cpu-prof). */
  nodeArgs?: string[];
  /** Where --cpu-prof writes. */
  cwd?: string;
  /** Extra environment of the embedded server's process (BENCH_SEALING). */
  env?: Record<string, string>;
}

export async function startStack(mode: Mode, options: StackOptions): Promise<RunningStack> {
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers of any benchmark.
  const nodeArgs =
    options.nodeArgs ?? (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  if (mode === 'embedded') {
    const { child, stderr } = spawnNode(
      join(dist(), 'bench', 'embedded-server.js'),
      { SMTP_URL: options.smtpUrl, BENCH_RATE_LIMIT: String(UNLIMITED), ...options.env },
      nodeArgs,
    );
    const url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        const match = /^listening (\S+)$/.exec(line);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(`embedded: ${stderr.join('').slice(-2000)}`)));
    });
    const pid = child.pid!;
    return {
      mode,
      url,
      pids: { gateway: pid, posts: pid, comments: pid, notifications: pid },
      close: () => stop(child),
    };
  }
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const databasePrefix = `bench_${tag}`;
  const topicPrefix = `bench-${tag}`;
  const base = {
    KAFKA_BROKERS: BROKERS,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    SMTP_URL: options.smtpUrl,
    JWT_SECRET: 'a-benchmark-secret-of-at-least-32-chars',
    TOKEN_SECRET: 'a-benchmark-link-token-secret-32-chars',
    RATE_LIMIT_PER_MINUTE: String(UNLIMITED),
    RATE_LIMIT_WRITES_PER_MINUTE: String(UNLIMITED),
    // A slow answer is measured as slow rather than cut off at the default 5 s as a 504.
    SERVICE_TIMEOUT_MS: '30000',
  };
  const children: { name: ServiceName; child: ChildProcess }[] = [];
  const urls: Partial<Record<ServiceName, string>> = {};
  // The gateway starts last: the others are given its internal listener's address first.
  const internalPort = await freePort();
  const identityUrl = `http://127.0.0.1:${internalPort}`;
  try {
    for (const name of ['posts', 'comments', 'notifications', 'gateway'] as const) {
      const port = await freePort();
      const mongo = new URL(MONGO);
      mongo.pathname = `/${databasePrefix}_${name}`;
      const { child, stderr } = spawnNode(
        join(dist(), 'apps', name, 'src', 'main.js'),
        {
          ...base,
          PORT: String(port),
          // Each process its own free scrape port: four on one machine cannot share 9464.
          METRICS_PORT: '0',
          MONGODB_URI: mongo.toString(),
          // Notifications asks comments to open guests' sealed names and addresses.
          ...(name === 'notifications' ? { COMMENTS_URL: urls.comments! } : {}),
          // An account's sealed address and name are opened by the gateway's identity.
          ...(name === 'gateway'
            ? {
                POSTS_URL: urls.posts!,
                COMMENTS_URL: urls.comments!,
                NOTIFICATIONS_URL: urls.notifications!,
                INTERNAL_PORT: String(internalPort),
              }
            : { IDENTITY_URL: identityUrl }),
        },
        nodeArgs,
      );
      child.stdout?.resume();
      children.push({ name, child });
      urls[name] = `http://127.0.0.1:${port}`;
      await ready(urls[name], child, stderr);
    }
  } catch (error) {
    for (const { child } of children.reverse()) await stop(child);
    throw error;
  }
  const pid = (name: ServiceName) => children.find((c) => c.name === name)!.child.pid!;
  return {
    mode,
    url: urls.gateway!,
    pids: {
      gateway: pid('gateway'),
      posts: pid('posts'),
      comments: pid('comments'),
      notifications: pid('notifications'),
    },
    databasePrefix,
    topicPrefix,
    async close() {
      for (const { child } of [...children].reverse()) await stop(child);
    },
  };
}

/** Resident set size of a process, in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kib / 1024) * 10) / 10;
}

/** CPU time (user + system) the processes have used so far, in milliseconds. */
export function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of new Set(pids)) {
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10;
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

export interface CannonResult {
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bytesPerRequest: number;
  total: number;
}

export interface CannonOptions {
  url: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** [<id>] in the body is replaced by a unique id per request. */
  body?: string;
  /** Requests per second over all connections; unset = as fast as it answers. */
  rate?: number;
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number };
  throughput: { average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** Runs autocannon in a child process (the load generator does not share the event loop). */
export async function autocannon(options: CannonOptions): Promise<CannonResult> {
  const args = [
    join(dist(), 'bench', 'load.js'),
    JSON.stringify({
      url: options.url,
      connections: options.connections,
      duration: options.seconds,
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      ...(options.body !== undefined ? { body: options.body } : {}),
      ...(options.rate !== undefined ? { overallRate: options.rate } : {}),
    }),
  ];
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      args,
      { maxBuffer: 64 * 2 ** 20, env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') } },
      (error, out, err) =>
        error ? reject(new Error(`autocannon: ${error.message} ${err}`)) : resolve(out),
    ),
  );
  const json = JSON.parse(stdout) as AutocannonJson;
  return {
    requestsPerSecond: Math.round(json.requests.average),
    p50: json.latency.p50,
    p90: json.latency.p90,
    p99: json.latency.p99,
    non2xx: json.non2xx,
    errors: json.errors,
    timeouts: json.timeouts,
    bytesPerRequest:
      json.requests.average > 0 ? json.throughput.average / json.requests.average : 0,
    total: json.requests.total,
  };
}

/**
 * A bare Node `http` server answering a static JSON body of about `bytes` bytes, or the bytes of
 * a file with a content-encoding: the thread baseline.
 */
export async function startStaticServer(
  bytes: number | { file: string; encoding: string },
): Promise<{ url: string; close(): Promise<void> }> {
  const { child, stderr } = spawnNode(
    join(dist(), 'bench', 'static-server.js'),
    typeof bytes === 'number'
      ? { BENCH_BYTES: String(bytes) }
      : { BENCH_FILE: bytes.file, BENCH_ENCODING: bytes.encoding },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = /^listening (\S+)$/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`static server: ${stderr.join('').slice(-2000)}`)));
  });
  return { url: `${url}/static.json`, close: () => stop(child) };
}

/** Runs a compiled bench script from this run's copy of dist/ in its own process; its stdout. */
export function runBenchScript(file: string, args: string[]): Promise<string> {
  return new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      [join(dist(), 'bench', file), ...args],
      { maxBuffer: 64 * 2 ** 20, env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') } },
      (error, out, err) =>
        error ? reject(new Error(`${file}: ${error.message} ${err}`)) : resolve(out),
    ),
  );
}

/** CPU seconds a process has used (user + system). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Waits until the given processes are quiet (under 10 % of a core over a second), so that a
 * measurement does not share the machine with a projection still catching up.
 */
export async function quiesce(pids: number[], timeoutMs = 600_000): Promise<void> {
  const unique = [...new Set(pids)];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const before = unique.map(cpuSeconds);
    await sleep(1000);
    // An idle distributed service still spends about a tenth of a core on its consumers' fetches
    // and the relay's poll: quiet is well under what working through a backlog takes (a core).
    const busy = unique.some((pid, i) => cpuSeconds(pid) - before[i]! > 0.25);
    if (!busy || Date.now() > deadline) return;
  }
}

export interface LoadFigure {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  bytes: number;
  /** Answers other than 2xx, and errors other than timeouts. */
  non2xx: number;
  timeouts: number;
}

/** Whether `wrk` (the Debian package of that name) is on this machine. */
export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
const SIZES: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/**
 * One run of wrk (one thread, like autocannon's one process) for GETs of `url`: autocannon
 * decodes every answer's body as text, which holds it to about 200 MB/s of compressed (binary)
 * answers on this machine, while wrk only counts their bytes.
 */
async function wrk(
  options: Omit<CannonOptions, 'method' | 'body' | 'rate'>,
): Promise<CannonResult> {
  const headers = Object.entries(options.headers ?? {}).flatMap(([name, value]) => [
    '-H',
    `${name}: ${value}`,
  ]);
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      'wrk',
      [
        '-t1',
        `-c${options.connections}`,
        `-d${options.seconds}s`,
        '--latency',
        ...headers,
        options.url,
      ],
      { timeout: (options.seconds + 30) * 1000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`wrk: ${error.message} ${stderr}`)) : resolve(stdout),
    ),
  );
  const number = (pattern: RegExp) => Number(pattern.exec(out)?.[1] ?? 0);
  const latency = (percent: number) => {
    const found = new RegExp(`^\\s*${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    return found ? Number(found[1]) * (UNITS[found[2]!] ?? 1) : 0;
  };
  const read = /(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read/.exec(out);
  const total = Number(read?.[1] ?? 0);
  const timeouts = number(/timeout (\d+)/);
  return {
    requestsPerSecond: Math.round(number(/Requests\/sec:\s+([\d.]+)/)),
    p50: latency(50),
    p90: latency(90),
    p99: latency(99),
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
    errors: number(/connect (\d+)/) + number(/read (\d+)/) + number(/write (\d+)/) + timeouts,
    timeouts,
    bytesPerRequest: total > 0 ? (Number(read?.[2]) * (SIZES[read?.[3] ?? 'B'] ?? 1)) / total : 0,
    total,
  };
}

/** Runs wrk `runs` times (GETs): medians of requests/s, percentiles and answer size. */
export async function measureWrk(
  runs: number,
  options: Omit<CannonOptions, 'method' | 'body' | 'rate'>,
): Promise<LoadFigure> {
  const results: CannonResult[] = [];
  for (let i = 0; i < runs; i++) results.push(await wrk(options));
  return figureOf(results);
}

/** Runs autocannon `runs` times: medians of requests/s, percentiles and answer size. */
export async function measureLoad(runs: number, options: CannonOptions): Promise<LoadFigure> {
  const results: CannonResult[] = [];
  for (let i = 0; i < runs; i++) results.push(await autocannon(options));
  return figureOf(results);
}

function figureOf(results: readonly CannonResult[]): LoadFigure {
  return {
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    bytes: Math.round(median(results.map((r) => r.bytesPerRequest))),
    non2xx: results.reduce((sum, r) => sum + r.non2xx + r.errors - r.timeouts, 0),
    timeouts: results.reduce((sum, r) => sum + r.timeouts, 0),
  };
}
