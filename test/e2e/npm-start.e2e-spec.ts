import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandalone, stopStandalone } from './standalone-process';

describe('npm start (embedded mode as a process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-data-'));

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts without Kafka or Mongo, seeds the demo, stops on SIGTERM and keeps its data across a restart', async () => {
    const first = await startStandalone(dataDir, ['--seed-demo']);
    expect(first.output()).toContain('/api/docs');
    expect(first.output()).toContain('/dev/mailbox');
    expect(first.output()).toMatch(/Demo: +http:\/\/localhost:\d+\/posts\/movie-quote-monday-her/);
    const page = await fetch(`${first.url}/posts/movie-quote-monday-her`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Movie Quote Monday: Her');
    expect((await fetch(`${first.url}/dev/mailbox`)).status).toBe(200);
    expect(await stopStandalone(first.child)).toBe(0);

    const second = await startStandalone(dataDir, ['--seed-demo']);
    expect(second.output()).toContain('posts exist already, nothing seeded');
    const thread = (await (
      await fetch(`${second.url}/api/v1/posts/movie-quote-monday-her`)
    ).json()) as { commentCount: number; likeCount: number };
    expect(thread).toMatchObject({ commentCount: 12, likeCount: 3 });
    const login = await fetch(`${second.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'boots@parley.localhost', password: 'parley-demo' }),
    });
    expect(login.status).toBe(200);
    expect(await stopStandalone(second.child)).toBe(0);
  }, 300_000);
});
