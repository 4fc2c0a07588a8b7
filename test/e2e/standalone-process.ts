import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildApps } from '@parley/testing';

const ROOT = join(__dirname, '..', '..');

export interface StandaloneProcess {
  child: ChildProcess;
  url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
}

/** What `npm start` runs after building: the embedded entry point, as its own process. */
export async function startStandalone(
  dataDir: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<StandaloneProcess> {
  const dist = buildApps();
  const child = spawn(
    process.execPath,
    [join(dist, 'apps', 'standalone', 'src', 'main.js'), ...args],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_PATH: join(ROOT, 'node_modules'),
        // The default, 0.0.0.0, would open the test's server to the network.
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    // Start-up replays the data folder and may seed the demo; a loaded machine takes its time.
    const timer = setTimeout(() => reject(new Error(`no start within 150 s:\n${output}`)), 150_000);
    const check = () => {
      // The banner is complete once the data line is out.
      const match = /running on (http:\/\/\S+)[\s\S]*Data:/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
  return { child, url, output: () => output };
}

/** SIGTERM, and the exit code once it is gone. */
export function stopStandalone(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}
