import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..', '..', '..');
let built: string | undefined;

/**
 * Compiles the apps (`node scripts/build.mjs`) once per test process into a directory of its
 * own, outside dist/, so that no other build (a test file running alongside, `npm start`)
 * can empty it under a running child. Returns the directory.
 */
export function buildApps(): string {
  if (built) return built;
  const out = mkdtempSync(join(tmpdir(), 'parley-dist-'));
  process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), `--out=${out}`], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  built = out;
  return out;
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** The HTTP address the service logged when it started listening. */
  readonly url: string;
  /** Where its Prometheus metrics are served (`<metricsUrl>/metrics`), apart from `url`. */
  readonly metricsUrl: string;
  /** Ends the process at once, as a crash would: no drain, no offset commit. */
  kill(): Promise<void>;
  /** SIGTERM and wait: the graceful shutdown. */
  stop(): Promise<void>;
  /** What the process wrote to stderr so far (an uncaught error's stack, say). */
  stderr(): string;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Runs an app's compiled main (dist/apps/<app>/src/main.js) as a real child process with
 * the given environment, and resolves once it logs that it listens.
 */
export async function spawnServiceProcess(
  app: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServiceProcess> {
  const dist = buildApps();
  const child = spawn(process.execPath, [join(dist, 'apps', app, 'src', 'main.js')], {
    cwd: ROOT,
    // The copy lives outside the repository: its packages are found through NODE_PATH.
    env: {
      ...process.env,
      NODE_PATH: join(ROOT, 'node_modules'),
      LOG_LEVEL: 'info',
      // A free metrics port each, so that replicas on one machine do not collide.
      METRICS_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  // The last log lines, for an error that says why a start failed.
  const logTail: string[] = [];
  const { url, metricsUrl } = await new Promise<{ url: string; metricsUrl: string }>(
    (resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(`${app} did not start in ${timeoutMs} ms: ${stderr.join('').slice(-2000)}`),
        );
      }, timeoutMs);
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        logTail.push(line);
        if (logTail.length > 10) logTail.shift();
        try {
          const entry = JSON.parse(line) as { url?: unknown; metricsUrl?: unknown; msg?: unknown };
          if (
            typeof entry.url === 'string' &&
            typeof entry.metricsUrl === 'string' &&
            entry.msg === `${app} listening`
          ) {
            clearTimeout(timer);
            resolve({ url: entry.url, metricsUrl: entry.metricsUrl });
          }
        } catch {
          // Not a log line of ours.
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `${app} exited (${code ?? signal}) before listening: ${stderr.join('').slice(-2000)}\n${logTail.join('\n').slice(-4000)}`,
          ),
        );
      });
    },
  );
  return {
    child,
    url,
    metricsUrl,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
    stderr: () => stderr.join(''),
  };
}

export interface EntryPointRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they came, interleaved. */
  output: string;
}

export interface EntryPointOptions {
  /** Added to the test's environment (or, with `isolated`, the only variables besides PATH). */
  env?: Record<string, string>;
  /** Starts from an empty environment instead of the test's own: what a misconfigured deployment sees. */
  isolated?: boolean;
  /** Sends SIGTERM after this long, so a process that should have ended fails its test instead of hanging it. */
  timeoutMs?: number;
}

/**
 * An app's compiled entry point (`apps/<app>/src/main.js`) run to its end with these
 * arguments, as `npm start` or `npm run import/export/…` run it after building.
 */
export function runEntryPoint(
  app: string,
  args: readonly string[],
  options: EntryPointOptions = {},
): Promise<EntryPointRun> {
  const main = join(buildApps(), 'apps', app, 'src', 'main.js');
  const base = options.isolated ? { PATH: process.env.PATH ?? '' } : process.env;
  const child = spawn(process.execPath, [main, ...args], {
    cwd: ROOT,
    env: { ...base, NODE_PATH: join(ROOT, 'node_modules'), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: EntryPointRun = { code: null, stdout: '', stderr: '', output: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    run.stdout += chunk.toString();
    run.output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    run.stderr += chunk.toString();
    run.output += chunk.toString();
  });
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ ...run, code });
    }),
  );
}
