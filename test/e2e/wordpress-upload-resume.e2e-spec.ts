import { createReadStream, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ImportView, PostPage, TokensResponse } from '@parley/contracts';
import { FOLDER_LOCK_STALE_MS } from '@parley/files';
import { eventually, sleep, jsonCaller } from '@parley/testing';
import { type WxrWritten, writeWxrFile } from '../../bench/wxr-file';
import { type StandaloneProcess, startStandalone, stopStandalone } from './standalone-process';

/** Killed outright, the process cannot let go of its data folder: the next start waits for the lock to go stale. */
async function kill(parley: StandaloneProcess): Promise<void> {
  const gone = new Promise((resolve) => parley.child.once('exit', resolve));
  parley.child.kill('SIGKILL');
  await gone;
  await sleep(FOLDER_LOCK_STALE_MS + 500);
}

describe('an uploaded import whose standalone process was killed (npm start)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-import-resume-'));
  const dataDir = join(dir, 'data');
  const uploads = join(dataDir, 'gateway', 'uploads');
  let parley: StandaloneProcess | undefined;
  let admin: string;
  const call = jsonCaller(() => parley!.url);
  let first: { file: string; written: WxrWritten };
  let second: { file: string; written: WxrWritten };

  async function upload(file: string): Promise<string> {
    const response = await fetch(`${parley!.url}/api/v1/imports`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${admin}` },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
      duplex: 'half',
    });
    expect(response.status).toBe(202);
    return response.headers.get('location')!;
  }

  const read = async (location: string) => {
    const answer = await call<ImportView>('GET', location, undefined, admin);
    expect(answer.status).toBe(200);
    return answer.body;
  };

  const ended = (location: string) =>
    eventually(
      async () => {
        const job = await read(location);
        return job.state === 'done' || job.state === 'failed' ? job : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 100, message: 'the import to end' },
    );

  beforeAll(async () => {
    // The posts of the second export are the first's, and more.
    first = {
      file: join(dir, 'first.wordpress.xml'),
      written: await writeWxrFile(join(dir, 'first.wordpress.xml'), {
        posts: 20,
        commentsPerPost: 40,
      }),
    };
    second = {
      file: join(dir, 'second.wordpress.xml'),
      written: await writeWxrFile(join(dir, 'second.wordpress.xml'), {
        posts: 30,
        commentsPerPost: 40,
      }),
    };
    parley = await startStandalone(dataDir);
    const registered = await call<TokensResponse>('POST', '/api/v1/auth/register', {
      email: 'writer@blog.example',
      password: 'correct horse battery staple',
      displayName: 'The Writer',
    });
    expect(registered.status).toBe(201);
    admin = registered.body.accessToken;
  }, 300_000);

  afterAll(async () => {
    if (parley) await stopStandalone(parley.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is finished by the next start from its file: every post and comment once, the file removed', async () => {
    const location = await upload(first.file);
    const killedAt = await eventually(
      async () => {
        const job = await read(location);
        expect(job.state).not.toMatch(/done|failed/);
        return job.state === 'importing' && job.items.done >= 2 ? job : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 20, message: 'the import to be under way' },
    );
    await kill(parley!);
    expect(readdirSync(uploads)).toHaveLength(1);

    parley = await startStandalone(dataDir, [], { LOG_LEVEL: 'info' });
    const job = await ended(location);
    const { posts, comments } = first.written;
    expect(job).toMatchObject({
      state: 'done',
      failure: null,
      items: { done: posts, total: posts },
    });
    const summary = job.summary!;
    // Some were in before the kill, the rest came with the run that took the import over.
    expect(summary.posts.existing).toBeGreaterThanOrEqual(killedAt.items.done);
    expect(summary.posts.added).toBeGreaterThan(0);
    expect(summary.posts.added + summary.posts.existing).toBe(posts);
    expect(summary.comments.added + summary.comments.existing).toBe(comments);
    expect(summary.comments.byStatus).toMatchObject(first.written.byStatus);
    expect(parley.output()).toContain('interrupted import resumed');
    await eventually(() => (readdirSync(uploads).length === 0 ? true : undefined), {
      message: 'the upload to be removed',
    });

    // On the pages, each once: no post numbered twice, each post's count its approved comments.
    const listed = await eventually(
      async () => {
        const page = await call<PostPage>('GET', '/api/v1/posts?limit=50');
        const count = page.body.items.reduce((sum, post) => sum + post.commentCount, 0);
        return page.body.items.length === posts && count === first.written.byStatus.approved
          ? page.body.items
          : undefined;
      },
      { timeoutMs: 60_000, message: 'the imported posts and their comment counts' },
    );
    expect(new Set(listed.map((post) => post.slug)).size).toBe(posts);
  }, 600_000);

  it('fails, asking for the file again, when the file it was importing is gone at the next start', async () => {
    const location = await upload(second.file);
    await kill(parley!);
    rmSync(uploads, { recursive: true, force: true });

    parley = await startStandalone(dataDir);
    const job = await ended(location);
    expect(job).toMatchObject({ state: 'failed', summary: null });
    expect(job.failure!.reason).toMatch(/^Interrupted.*upload the file again$/);
    expect(job.finishedAt).not.toBeNull();
  }, 300_000);

  it('removes the file of an upload refused or failed', async () => {
    const cut = await fetch(`${parley!.url}/api/v1/imports`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${admin}` },
      body: '<?xml version="1.0"?><rss version="2.0"><channel><title>cut',
    });
    expect(cut.status).toBe(422);
    expect(readdirSync(uploads)).toEqual([]);
  });
});
