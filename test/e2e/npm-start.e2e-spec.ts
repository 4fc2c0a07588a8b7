import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApps } from '@parley/testing';

const ROOT = join(__dirname, '..', '..');

interface Embedded {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** What `npm start` runs after building: the embedded entry point, as its own process. */
async function startEmbedded(dataDir: string, args: string[] = []): Promise<Embedded> {
  const dist = buildApps();
  const child = spawn(
    process.execPath,
    [join(dist, 'apps', 'gateway', 'src', 'embedded', 'main.js'), ...args],
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
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${output}`)), 60_000);
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

function stopped(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('npm start (embedded mode as a process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-data-'));

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts without Kafka or Mongo, seeds the demo, stops on SIGTERM and keeps its data across a restart', async () => {
    const first = await startEmbedded(dataDir, ['--seed-demo']);
    expect(first.output()).toContain('/api/docs');
    expect(first.output()).toContain('/dev/mailbox');
    expect(first.output()).toMatch(/Demo: +http:\/\/localhost:\d+\/posts\/movie-quote-monday-her/);
    const page = await fetch(`${first.url}/posts/movie-quote-monday-her`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Movie Quote Monday: Her');
    expect((await fetch(`${first.url}/dev/mailbox`)).status).toBe(200);
    expect(await stopped(first.child)).toBe(0);

    const second = await startEmbedded(dataDir, ['--seed-demo']);
    expect(second.output()).toContain('posts exist already, nothing seeded');
    const thread = (await (
      await fetch(`${second.url}/api/v1/posts/movie-quote-monday-her`)
    ).json()) as { commentCount: number; likeCount: number };
    expect(thread).toMatchObject({ commentCount: 7, likeCount: 3 });
    const login = await fetch(`${second.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'boots@parley.localhost', password: 'parley-demo' }),
    });
    expect(login.status).toBe(200);
    expect(await stopped(second.child)).toBe(0);
  });
});
