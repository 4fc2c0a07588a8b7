import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PostCommentResponse, SubscriptionList } from '@parley/contracts';
import type { Browser } from 'playwright-core';
import { ReaderBlog, until as waitFor } from './blog';
import { describeBrowser, launchChromium } from './browser';

/** A reader adds a webhook from the subscription manager, and replies reach it with nothing else changed. */
describeBrowser('the webhook on the subscription manager, in Chromium', () => {
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

  const blog = new ReaderBlog();
  const until = <T>(probe: () => Promise<T | undefined> | T | undefined) => waitFor(probe, 15_000);

  beforeAll(async () => {
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    // The receiver is on this machine: development mode lets webhooks go to it.
    await blog.open({ webhooks: { allowPrivateNetworks: true } });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await blog.close();
    await new Promise<void>((resolve) => hooks.close(() => resolve()));
  });

  it('adds the webhook to the subscriptions when the box is left checked, and a reply is posted to it', async () => {
    const admin = await blog.register('boots@blog.example', 'Boots');
    const amy = await blog.register('amy@example.com', 'Amy');
    const { id: postId } = await blog.publishedPost(admin.accessToken, {
      title: 'Her',
      body: 'A film about *loneliness*.',
    });
    const mine = await blog.api<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: 'A film about a voice.' },
      amy.accessToken,
    );

    const { context, page } = await blog.signedIn(
      browser,
      'amy@example.com',
      '/subscriptions/manage',
    );

    const port = (hooks.address() as AddressInfo).port;
    await page.getByLabel('Post notifications to this URL').fill(`http://127.0.0.1:${port}/parley`);
    expect(
      await page.getByLabel('Use it for my subscriptions, and for new ones.').isChecked(),
    ).toBe(true);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    expect(await page.locator('h1').textContent()).toBe('Webhook added');
    expect((await page.locator('[data-webhook-secret]').textContent())?.length).toBeGreaterThan(20);

    const replies = await until(async () => {
      const list = await blog.api<SubscriptionList>(
        'GET',
        '/api/v1/subscriptions',
        undefined,
        amy.accessToken,
      );
      const found = list.body.items.find((s) => s.kind === 'replies');
      return found?.channels.includes('webhook') ? found : undefined;
    });
    expect(replies.channels).toEqual(['email', 'in-app', 'webhook']);
    await page.goto(`${blog.url}/subscriptions/manage`);
    expect(await page.locator('section.webhook').textContent()).toContain(
      `http://127.0.0.1:${port}/parley`,
    );

    const reply = await blog.api<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: 'It is, and the voice is Scarlett Johansson.', parentId: mine.body.id },
      admin.accessToken,
    );
    await until(() => (received.some((b) => b.includes(reply.body.id)) ? true : undefined));
    await context.close();
  }, 60_000);
});
