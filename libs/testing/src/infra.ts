import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
let counter = 0;

export interface TestInfra {
  kafkaBrokers: string[];
  /** A connection string for a database of its own, named after the test run and the given label. */
  mongoUri(label: string): string;
}

export function infraUnavailableReason(): string | undefined {
  const reason = process.env.PARLEY_INFRA_UNAVAILABLE;
  return reason && reason.length > 0 ? reason : undefined;
}

/** The real Kafka broker and Mongo-compatible server of this test run. */
export function testInfra(): TestInfra {
  const reason = infraUnavailableReason();
  const brokers = process.env.KAFKA_BROKERS;
  const mongo = process.env.MONGODB_URI;
  if (reason || !brokers || !mongo) {
    throw new Error(
      `Infrastructure unavailable: ${reason ?? 'KAFKA_BROKERS / MONGODB_URI not set'}`,
    );
  }
  return {
    kafkaBrokers: brokers.split(',').map((b) => b.trim()),
    mongoUri: (label) => withDatabase(mongo, uniqueName(label).replace(/[^a-zA-Z0-9_]/g, '_')),
  };
}

function withDatabase(uri: string, database: string): string {
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * This module's own tag. Jest loads it afresh for every test file, and a worker process runs
 * many files: the process id and the counter alone gave two files of one worker the same
 * names (and so each other's topics).
 */
const MODULE_TAG = randomBytes(3).toString('hex');

/** A name no other test in this run (or an earlier run) uses: for topics, databases, groups. */
export function uniqueName(label: string): string {
  counter += 1;
  const run = process.env.PARLEY_TEST_RUN_ID ?? `r${Date.now().toString(36)}`;
  return `${run}-${MODULE_TAG}-${counter}-${label}`;
}

/**
 * `describe` for tests that need the real infrastructure. Under CI=true the global
 * setup guarantees the infrastructure, so nothing skips; elsewhere the suite is
 * skipped with the reason when Java, Maven or Go are missing.
 */
export function describeInfra(title: string, body: () => void): void {
  const reason = infraUnavailableReason();
  if (reason && process.env.CI !== 'true') {
    describe.skip(`${title} (skipped: ${reason})`, body);
    return;
  }
  describe(title, body);
}

/**
 * Polls until `probe` returns a value (not undefined) or throws its last error at the deadline.
 * Between probes it waits at least as long as the last probe took, so that polling a slow
 * server (a query that scans, on a loaded machine) never takes more than half its time
 * from the work being waited for.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 10_000, intervalMs = 25, message = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const started = Date.now();
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      if (lastError instanceof Error) throw lastError;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}`);
    }
    await sleep(Math.max(intervalMs, Date.now() - started));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The folder the infrastructure scripts keep their servers' files in (scripts/infra/common.sh). */
function infraDir(): string {
  return process.env.PARLEY_INFRA_DIR ?? join(ROOT, '.infra');
}

/** Runs an infrastructure script without blocking the test process, failing with its output. */
function runScript(script: string, action: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [join(ROOT, 'scripts', 'infra', script), action],
      { env: { ...process.env, ...env } },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`${script} ${action} failed: ${error.message}\n${stderr}`));
        else resolve();
      },
    );
  });
}

/** A server of the test's own, on its own port, that the test may stop and start with its script. */
abstract class PrivateServer {
  constructor(
    readonly instance: string,
    readonly port: number,
    /** Its script in scripts/infra. */
    private readonly script: string,
  ) {}

  start(): void {
    this.run('start');
  }

  stop(): void {
    this.run('stop');
  }

  /** start() without blocking the test process: its servers and requests in flight go on meanwhile. */
  up(): Promise<void> {
    return runScript(this.script, 'start', this.env());
  }

  /** stop() without blocking the test process. */
  down(): Promise<void> {
    return runScript(this.script, 'stop', this.env());
  }

  /** What tells the script which instance on which port. */
  protected abstract env(): Record<string, string>;

  private run(action: string): void {
    execFileSync('bash', [join(ROOT, 'scripts', 'infra', this.script), action], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...this.env() },
    });
  }
}

/** A Kafka broker of the test's own, on its own port, that the test may stop and start. */
export class PrivateKafka extends PrivateServer {
  constructor(instance: string, port: number) {
    super(instance, port, 'kafka.sh');
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  /** Where the broker keeps its log segments. */
  get dataDir(): string {
    return join(infraDir(), 'kafka', this.instance, 'data');
  }

  protected env(): Record<string, string> {
    return {
      KAFKA_INSTANCE: this.instance,
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.port + 1),
    };
  }
}

/** A Mongo-compatible server of the test's own, on its own port, that the test may stop and start. */
export class PrivateMongo extends PrivateServer {
  constructor(instance: string, port: number) {
    super(instance, port, 'ferretdb.sh');
  }

  uri(database: string): string {
    return `mongodb://127.0.0.1:${this.port}/${database}`;
  }

  /** Where the server keeps its database files. */
  get dataDir(): string {
    return join(infraDir(), 'ferretdb', this.instance, 'data');
  }

  protected env(): Record<string, string> {
    return { FERRETDB_INSTANCE: this.instance, FERRETDB_PORT: String(this.port) };
  }
}
