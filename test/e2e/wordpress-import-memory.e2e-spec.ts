import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApps } from '@parley/testing';
import { writeWxrFile } from '../../bench/wxr-file';

const ROOT = join(__dirname, '..', '..');
/** The memory limit of a Parley container (k8s/base/*.yaml, resources.limits.memory). */
const SERVICE_MEMORY_LIMIT_BYTES = 384 * 2 ** 20;
/** The embedded platform itself needs about 65 MB of heap; a file held whole would need its size on top. */
const HEAP_CAP_MB = 96;
const FILE_MB = 120;

/** The largest resident set of a process so far (VmHWM), in bytes; 0 once it is gone. */
function peakRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

describe('importing a WordPress export larger than the heap (npm run import)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-wordpress-large-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`reads a ${FILE_MB} MB export through with the heap capped at ${HEAP_CAP_MB} MB, within a container's memory`, async () => {
    const file = join(dir, 'large.wordpress.xml');
    // Most of a large export is what Parley leaves out (pages here); the posts and comments are kept.
    const written = await writeWxrFile(file, {
      posts: 10,
      commentsPerPost: 20,
      pages: 1200,
      pageBytes: 100_000,
    });
    expect(written.bytes).toBeGreaterThan(FILE_MB * 1e6);

    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${HEAP_CAP_MB}`,
        join(buildApps(), 'apps', 'standalone', 'src', 'main.js'),
        'import',
        'wordpress',
        file,
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_PATH: join(ROOT, 'node_modules'),
          DATA_DIR: join(dir, 'data'),
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 100);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearInterval(sampler);

    expect({ code, output: output.slice(-2000) }).toMatchObject({ code: 0 });
    expect(output).toMatch(/posts: +10 new, 0 already here \(10 published/);
    expect(output).toMatch(
      new RegExp(
        `comments: +200 new, 0 already here \\(${written.byStatus.approved} approved, ${written.byStatus.pending} pending, ${written.byStatus.spam} spam`,
      ),
    );
    expect(output).toContain(`${written.pages} page items (Parley has posts only)`);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(SERVICE_MEMORY_LIMIT_BYTES);
  }, 120_000);
});
