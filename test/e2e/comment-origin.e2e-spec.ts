import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParleyClient, bodyOf, parleyClient } from '@parley/client';
import type { PostView, TokensResponse } from '@parley/contracts';
import { eventually } from '@parley/testing';
import {
  type EmbeddedParley,
  startEmbeddedParley,
} from '../../apps/standalone/src/embedded-platform';

const PASSWORD = 'correct horse battery staple';
const CSRF = 'a-csrf-token-of-the-test-visitor';

/**
 * The way a comment's IP address and user agent go, as `npm start` runs behind a trusted
 * proxy: from the public API and from the page's form, through the gateway to the comments
 * service, sealed into the data folder, and back to the moderators' queue and desk page.
 */
describe('the IP address and user agent of a comment, kept for moderators (standalone)', () => {
  jest.setTimeout(60_000);
  let parley: EmbeddedParley;
  let dataDir: string;
  let admin: TokensResponse;
  let post: PostView;

  let api: ParleyClient;
  const asAdmin = () => api.as(admin.accessToken);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'parley-origin-'));
    parley = await startEmbeddedParley({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      trustProxy: true,
      rateLimits: { perMinute: 1000, writesPerMinute: 100 },
    });
    api = parleyClient({ baseUrl: parley.url });
    admin = bodyOf(
      await api.identity.register({
        body: { email: 'boots@blog.example', password: PASSWORD, displayName: 'Boots' },
      }),
    );
    post = bodyOf(
      await asAdmin().posts.create({
        body: { title: 'Origins', body: 'Where comments come from.' },
      }),
    );
    expect((await asAdmin().posts.publish({ params: { id: post.id } })).status).toBe(200);
    await eventually(async () => {
      const thread = await api.comments.thread({ params: { id: post.id } });
      return thread.ok && thread.body.commentsOpen ? true : undefined;
    });
  });

  afterAll(async () => {
    await parley?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('takes the address the trusted proxy names and the browser’s user agent, shows them on the desk, and stores neither in clear', async () => {
    const fromApi = { ip: '198.51.100.40', userAgent: 'OriginApiClient/1.0 (api)' };
    const fromForm = { ip: '198.51.100.41', userAgent: 'OriginFormBrowser/2.0 (page form)' };
    const viaApi = await api.comments.post({
      params: { id: post.id },
      body: { body: 'Written through the API', author: { name: 'Ona', email: 'ona@example.com' } },
      headers: { 'x-forwarded-for': fromApi.ip, 'user-agent': fromApi.userAgent },
    });
    expect(viaApi.status).toBe(201);
    const form = await fetch(`${parley.url}/posts/${post.slug}/comments`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `parley_csrf=${CSRF}`,
        'x-forwarded-for': fromForm.ip,
        'user-agent': fromForm.userAgent,
      },
      body: new URLSearchParams({
        _csrf: CSRF,
        parentId: '',
        cpage: '1',
        body: 'Written on the page, without a script',
        name: 'Pim',
        email: 'pim@example.com',
        url: '',
      }).toString(),
    });
    expect(form.status).toBe(303);

    const queue = await eventually(async () => {
      const page = bodyOf(await asAdmin().comments.queue({ query: { postId: post.id } }));
      return page.items.length === 2 ? page : undefined;
    });
    const originOf = (body: string) => queue.items.find((i) => i.body === body)?.origin;
    expect(originOf('Written through the API')).toEqual(fromApi);
    expect(originOf('Written on the page, without a script')).toEqual(fromForm);

    const desk = await fetch(`${parley.url}/moderation`, {
      headers: { cookie: `parley_access=${admin.accessToken}` },
    });
    expect(desk.status).toBe(200);
    const page = await desk.text();
    for (const shown of [fromApi.ip, fromApi.userAgent, fromForm.ip, fromForm.userAgent])
      expect(page).toContain(shown);

    const files = await readdir(dataDir, { recursive: true, withFileTypes: true });
    const stored = Buffer.concat(
      await Promise.all(
        files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name))),
      ),
    );
    for (const clear of [fromApi.ip, fromApi.userAgent, fromForm.ip, fromForm.userAgent])
      expect({ clear, found: stored.includes(clear) }).toEqual({ clear, found: false });
  });
});
