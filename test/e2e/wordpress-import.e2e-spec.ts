import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  InboxResponse,
  PostCommentResponse,
  PostPage,
  ThreadItem,
  ThreadPage,
  TokensResponse,
} from '@parley/contracts';
import { MailCatcher, buildApps, eventually, sleep } from '@parley/testing';
import { sharedFixture } from '../support/shared-fixtures';
import { type StandaloneProcess, startStandalone, stopStandalone } from './standalone-process';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = sharedFixture('wordpress', 'themeunittestdata.wordpress.xml');
const PASSWORD = 'correct horse battery staple';
/** The author of "Keyboard navigation" and other posts of the export. */
const WRITER_EMAIL = 'themereviewteam@gmail.com';

/** `npm run import` after its build: the embedded entry point's import command, as a process. */
function runImport(
  dataDir: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const main = join(buildApps(), 'apps', 'standalone', 'src', 'main.js');
  const child = spawn(process.execPath, [main, 'import', ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_PATH: join(ROOT, 'node_modules'),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('importing a WordPress export into the embedded Parley (npm run import)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-wordpress-'));
  const smtp = new MailCatcher();
  let parley: StandaloneProcess | undefined;

  async function call<T>(method: string, path: string, body?: unknown, token?: string) {
    const response = await fetch(`${parley!.url}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json');
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: (json && text ? JSON.parse(text) : text) as T,
    };
  }

  beforeAll(async () => {
    await smtp.start();
  });

  afterAll(async () => {
    if (parley) await stopStandalone(parley.child);
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings in every published post and comment, nested as in WordPress, twice without adding anything, telling nobody', async () => {
    const env = { SMTP_URL: smtp.url };
    // A blog whose admin, a writer of the old blog, has a verified address and follows new posts.
    parley = await startStandalone(dataDir, [], env);
    const admin = await call<TokensResponse>('POST', '/api/v1/auth/register', {
      email: WRITER_EMAIL,
      password: PASSWORD,
      displayName: 'Reviewer Here',
    });
    expect(admin.status).toBe(201);
    const confirm = await eventually(() =>
      smtp.to(WRITER_EMAIL).find((m) => /confirm your email/i.test(m.headers.subject ?? '')),
    );
    const verifyPath = /\/api\/v1\/auth\/verify-email\?token=[^\s"<>]+/.exec(confirm.text)?.[0];
    expect((await call('GET', verifyPath!)).status).toBe(303);
    const token = (
      await call<TokensResponse>('POST', '/api/v1/auth/login', {
        email: WRITER_EMAIL,
        password: PASSWORD,
      })
    ).body.accessToken;
    expect((await call('POST', '/api/v1/subscriptions', { kind: 'blog' }, token)).status).toBe(201);
    expect(await stopStandalone(parley.child)).toBe(0);
    parley = undefined;
    const mailsBefore = smtp.mails.length;

    const first = await runImport(dataDir, ['wordpress', FIXTURE], env);
    expect({ code: first.code, output: first.output }).toMatchObject({ code: 0 });
    expect(first.output).toContain('Theme Unit Test Data (https://wpthemetestdata.wordpress.com)');
    expect(first.output).toMatch(
      /posts: +51 new, 0 already here \(48 published, 1 scheduled, 2 drafts\)/,
    );
    expect(first.output).toMatch(
      /comments: +27 new, 0 already here \(26 approved, 1 pending, 0 spam, 0 trash; 23 comments, 2 pingbacks, 2 trackbacks\)/,
    );
    expect(first.output).toContain('21 page items (Parley has posts only)');
    expect(first.output).toContain('5 comments on page items');

    const dry = await runImport(dataDir, ['wordpress', FIXTURE, '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.output).toContain('would import (dry run, nothing written)');
    expect(dry.output).toMatch(/posts: +0 new, 51 already here/);

    const again = await runImport(dataDir, ['wordpress', FIXTURE], env);
    expect(again.code).toBe(0);
    expect(again.output).toMatch(/posts: +0 new, 51 already here/);
    expect(again.output).toMatch(/comments: +0 new, 27 already here/);

    parley = await startStandalone(dataDir, [], env);
    const published: PostPage['items'] = [];
    for (let cursor: string | null = ''; cursor !== null;) {
      const page: { body: PostPage } = await call<PostPage>(
        'GET',
        `/api/v1/posts?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
      );
      published.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    expect(published).toHaveLength(48);
    const bySlug = new Map(published.map((p) => [p.slug, p]));
    expect(bySlug.get('keyboard-navigation')?.author.displayName).toBe('Reviewer Here');
    expect(bySlug.get('template-pingbacks-an-trackbacks')?.commentCount).toBe(5);
    const post = bySlug.get('template-comments')!;
    expect(post).toMatchObject({
      title: 'Template: Comments',
      publishedAt: '2012-01-03T17:11:37.000Z',
      commentCount: 19,
    });

    const thread = await call<ThreadPage>('GET', `/api/v1/posts/${post.id}/comments`);
    expect(thread.status).toBe(200);
    expect(thread.body.totals.comments).toBe(19);
    expect(thread.body.items).toHaveLength(19);
    expect(thread.text).not.toContain('@example.org');
    // Ten levels in WordPress: each reply keeps its parent, shown no deeper than the blog's five.
    const chain = Array.from({ length: 10 }, (_, i) =>
      thread.body.items.find((c) =>
        c.body.startsWith(`Comment Depth ${String(i + 1).padStart(2, '0')}`),
      ),
    ) as ThreadItem[];
    expect(chain.every(Boolean)).toBe(true);
    expect(chain.map((c) => c.depth)).toEqual([1, 2, 3, 4, 5, 5, 5, 5, 5, 5]);
    chain.forEach((c, i) => expect(c.parentId).toBe(i === 0 ? null : chain[i - 1]!.id));
    expect(chain[9]).toMatchObject({
      postedAt: '2013-03-14T15:14:47.000Z',
      author: { kind: 'guest', name: 'themedemos' },
    });
    const order = thread.body.items.map((c) => c.id);
    expect(chain.map((c) => order.indexOf(c.id))).toEqual(
      [...chain.map((c) => order.indexOf(c.id))].sort((a, b) => a - b),
    );

    // The old blog's addresses lead to the post, and its comments' anchors to the comments.
    for (const old of [
      '/2012/01/03/template-comments/',
      '/2012/01/03/template-comments',
      '/?p=1148',
    ]) {
      const moved = await call('GET', old);
      expect({ old, status: moved.status, location: moved.headers.get('location') }).toEqual({
        old,
        status: 301,
        location: '/posts/template-comments',
      });
    }
    expect((await call('GET', '/2012/01/03/no-such-post/')).status).toBe(404);
    // The draft's ?p= leads nowhere: the front page, as for any other query.
    const draft = await call('GET', '/?p=1164');
    expect(draft.status).toBe(200);
    expect(draft.headers.get('location')).toBeNull();
    expect(chain[9]!.imported).toEqual({
      system: 'wordpress',
      site: 'https://wpthemetestdata.wordpress.com',
      id: '915',
    });
    const page = await call('GET', '/posts/template-comments');
    expect(page.text).toMatch(/<article id="comment-915" aria-labelledby="comment-[^"]+-by">/);
    expect(page.text).toContain('id="comment-881"');

    const pings = await call<ThreadPage>(
      'GET',
      `/api/v1/posts/${bySlug.get('template-pingbacks-an-trackbacks')!.id}/comments`,
    );
    expect(pings.body.items.map((c) => c.kind).sort()).toEqual([
      'comment',
      'pingback',
      'pingback',
      'trackback',
      'trackback',
    ]);

    // A guest's comment written here now is held and tells the admin: the policy is running.
    const written = await call<PostCommentResponse>('POST', `/api/v1/posts/${post.id}/comments`, {
      body: 'A comment written after the import.',
      author: { name: 'New Guest', email: 'new-guest@example.net' },
    });
    expect(written.status).toBe(201);
    const inbox = async () =>
      (await call<InboxResponse>('GET', '/api/v1/notifications', undefined, token)).body.items;
    await eventually(async () =>
      (await inbox()).some(
        (i) => i.subject.kind === 'comment' && i.subject.commentId === written.body.id,
      )
        ? true
        : undefined,
    );
    await sleep(1500);
    // Nothing of the import: no new post, no held comment to moderate, no mail.
    expect(
      (await inbox()).map((i) =>
        i.subject.kind === 'comment' ? i.subject.commentId : i.subject.kind,
      ),
    ).toEqual([written.body.id]);
    expect(smtp.mails.slice(mailsBefore).filter((m) => !m.text.includes(written.body.id))).toEqual(
      [],
    );
  }, 400_000);

  it('refuses a file that is not a WordPress export or was cut off, and writes nothing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'parley-wordpress-bad-'));
    try {
      const notWxr = await runImport(empty, ['wordpress', join(ROOT, 'package.json')], {});
      expect(notWxr.code).toBe(65);
      expect(notWxr.output).toMatch(/not well-formed XML|not a WordPress export/);
      const cutOff = join(empty, 'cut-off.xml');
      writeFileSync(cutOff, readFileSync(FIXTURE).subarray(0, 300_000));
      const cut = await runImport(empty, ['wordpress', cutOff], {});
      expect(cut.code).toBe(65);
      expect(cut.output).toContain('it was cut off');
      const usage = await runImport(empty, ['blogger', FIXTURE], {});
      expect(usage.code).toBe(64);
      expect(readdirSync(empty)).toEqual(['cut-off.xml']);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 120_000);
});
