import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PostCommentResponse, SubscriptionList, TokensResponse } from '@parley/contracts';
import { requestJson } from '@parley/testing';
import type { Browser } from 'playwright-core';
import {
  type EmbeddedParley,
  startEmbeddedParley,
} from '../../apps/standalone/src/embedded-platform';
import { describeBrowser, launchChromium } from './browser';

const PASSWORD = 'correct horse battery staple';

/** A reader adds a webhook from the subscription manager, and replies reach it with nothing else changed. */
describeBrowser('the webhook on the subscription manager, in Chromium', () => {
  let parley: EmbeddedParley;
  let browser: Browser;
  const received: string[] = [];
  const hooks = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(body);
      response.writeHead(204).end();
    });
  });

  const api = <T>(method: string, path: string, body?: unknown, token?: string) =>
    requestJson<T>(parley.url, method, path, body, token);

  async function until<T>(probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    // The receiver is on this machine: development mode lets webhooks go to it.
    parley = await startEmbeddedParley({
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      webhooks: { allowPrivateNetworks: true },
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await parley?.close();
    await new Promise<void>((resolve) => hooks.close(() => resolve()));
  });

  it('adds the webhook to the subscriptions when the box is left checked, and a reply is posted to it', async () => {
    const register = (email: string, displayName: string) =>
      api<TokensResponse>('POST', '/api/v1/auth/register', {
        email,
        password: PASSWORD,
        displayName,
      });
    const admin = (await register('boots@blog.example', 'Boots')).body;
    const amy = (await register('amy@example.com', 'Amy')).body;
    const draft = await api<{ id: string; slug: string }>(
      'POST',
      '/api/v1/posts',
      { title: 'Her', body: 'A film about *loneliness*.' },
      admin.accessToken,
    );
    const postId = draft.body.id;
    await api('POST', `/api/v1/posts/${postId}/publish`, undefined, admin.accessToken);
    await until(async () => {
      const thread = await api<{ commentsOpen: boolean }>(
        'GET',
        `/api/v1/posts/${postId}/comments`,
      );
      return thread.body.commentsOpen ? true : undefined;
    });
    const mine = await api<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: 'A film about a voice.' },
      amy.accessToken,
    );

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${parley.url}/login?next=${encodeURIComponent('/subscriptions/manage')}`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('amy@example.com');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${parley.url}/subscriptions/manage`);

    const port = (hooks.address() as AddressInfo).port;
    await page.getByLabel('Post notifications to this URL').fill(`http://127.0.0.1:${port}/parley`);
    expect(
      await page.getByLabel('Use it for my subscriptions, and for new ones.').isChecked(),
    ).toBe(true);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    expect(await page.locator('h1').textContent()).toBe('Webhook added');
    expect((await page.locator('[data-webhook-secret]').textContent())?.length).toBeGreaterThan(20);

    const replies = await until(async () => {
      const list = await api<SubscriptionList>(
        'GET',
        '/api/v1/subscriptions',
        undefined,
        amy.accessToken,
      );
      const found = list.body.items.find((s) => s.kind === 'replies');
      return found?.channels.includes('webhook') ? found : undefined;
    });
    expect(replies.channels).toEqual(['email', 'in-app', 'webhook']);
    await page.goto(`${parley.url}/subscriptions/manage`);
    expect(await page.locator('section.webhook').textContent()).toContain(
      `http://127.0.0.1:${port}/parley`,
    );

    const reply = await api<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: 'It is, and the voice is Scarlett Johansson.', parentId: mine.body.id },
      admin.accessToken,
    );
    await until(() => (received.some((b) => b.includes(reply.body.id)) ? true : undefined));
    await context.close();
  }, 60_000);
});
