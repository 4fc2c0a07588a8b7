import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModerationQueuePage, PostView, TokensResponse } from '@parley/contracts';
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

  async function json<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${parley.url}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
  const asAdmin = () => ({ authorization: `Bearer ${admin.accessToken}` });

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
    admin = (
      await json<TokensResponse>('POST', '/api/v1/auth/register', {
        email: 'boots@blog.example',
        password: PASSWORD,
        displayName: 'Boots',
      })
    ).body;
    const draft = await json<PostView>(
      'POST',
      '/api/v1/posts',
      { title: 'Origins', body: 'Where comments come from.' },
      asAdmin(),
    );
    expect(
      (await json('POST', `/api/v1/posts/${draft.body.id}/publish`, undefined, asAdmin())).status,
    ).toBe(200);
    post = draft.body;
    await eventually(async () => {
      const thread = await json<{ commentsOpen?: boolean }>(
        'GET',
        `/api/v1/posts/${post.id}/comments`,
      );
      return thread.body.commentsOpen ? true : undefined;
    });
  });

  afterAll(async () => {
    await parley?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('takes the address the trusted proxy names and the browser’s user agent, shows them on the desk, and stores neither in clear', async () => {
    const fromApi = { ip: '198.51.100.40', userAgent: 'OriginApiClient/1.0 (api)' };
    const fromForm = { ip: '198.51.100.41', userAgent: 'OriginFormBrowser/2.0 (page form)' };
    const viaApi = await json<{ id: string }>(
      'POST',
      `/api/v1/posts/${post.id}/comments`,
      { body: 'Written through the API', author: { name: 'Ona', email: 'ona@example.com' } },
      { 'x-forwarded-for': fromApi.ip, 'user-agent': fromApi.userAgent },
    );
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
      const page = await json<ModerationQueuePage>(
        'GET',
        `/api/v1/moderation/queue?postId=${post.id}`,
        undefined,
        asAdmin(),
      );
      return page.body.items?.length === 2 ? page.body : undefined;
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
