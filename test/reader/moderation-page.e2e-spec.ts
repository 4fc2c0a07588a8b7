import type { ModerationQueuePage, PostCommentResponse, TokensResponse } from '@parley/contracts';
import { requestJson } from '@parley/testing';
import type { Browser, Page } from 'playwright-core';
import {
  type EmbeddedParley,
  startEmbeddedParley,
} from '../../apps/standalone/src/embedded-platform';
import { accessibilityProblems, describeBrowser, launchChromium } from './browser';

const PASSWORD = 'correct horse battery staple';

/** A moderator's day: the queue with who a guest is, the trash, restoring and emptying it. */
describeBrowser('the moderation page in Chromium', () => {
  let parley: EmbeddedParley;
  let browser: Browser;
  let admin: TokensResponse;
  let postId: string;

  const api = <T>(method: string, path: string, body?: unknown, token?: string) =>
    requestJson<T>(parley.url, method, path, body, token);

  async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function guestComment(name: string, email: string, body: string) {
    const posted = await api<PostCommentResponse>('POST', `/api/v1/posts/${postId}/comments`, {
      body,
      author: { name, email, url: `https://${name.toLowerCase()}.example` },
    });
    expect(posted.body.status).toBe('pending');
    return posted.body;
  }

  async function expectAccessible(page: Page): Promise<void> {
    expect(await accessibilityProblems(page)).toEqual([]);
  }

  const tab = (page: Page, name: RegExp) => page.getByRole('link', { name });
  const queueItem = (page: Page, text: string) =>
    page.locator('[data-queue-item]', { hasText: text });

  beforeAll(async () => {
    parley = await startEmbeddedParley({ host: '127.0.0.1', port: 0, logLevel: 'silent' });
    browser = await launchChromium();
    admin = (
      await api<TokensResponse>('POST', '/api/v1/auth/register', {
        email: 'boots@blog.example',
        password: PASSWORD,
        displayName: 'Boots',
      })
    ).body;
    const draft = await api<{ id: string; slug: string }>(
      'POST',
      '/api/v1/posts',
      { title: 'Her', body: 'A film about *loneliness*.' },
      admin.accessToken,
    );
    postId = draft.body.id;
    await api('POST', `/api/v1/posts/${postId}/publish`, undefined, admin.accessToken);
    await api('PUT', '/api/v1/settings/comments', { floodSeconds: 0 }, admin.accessToken);
    await until(async () => {
      const thread = await api<{ commentsOpen: boolean }>(
        'GET',
        `/api/v1/posts/${postId}/comments`,
      );
      return thread.body.commentsOpen ? true : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await parley?.close();
  });

  it('trashes a comment, restores it from the trash, trashes another and empties the trash; a guest shows with their email', async () => {
    await guestComment('Wade', 'wade@example.com', 'Cheap film reviews at my site');
    const zed = await guestComment('Zed', 'zed@example.com', 'Zed liked the soundtrack');

    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      bypassCSP: true,
    });
    const page = await context.newPage();
    await page.goto(`${parley.url}/login?next=${encodeURIComponent('/moderation')}`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('boots@blog.example');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${parley.url}/moderation`);

    const wade = queueItem(page, 'Cheap film reviews');
    await wade.waitFor();
    expect(await wade.locator('[data-queue-guest]').textContent()).toContain('wade@example.com');
    expect(await wade.locator('[data-queue-guest]').textContent()).toContain(
      'https://wade.example',
    );
    expect(await tab(page, /^Pending \(2\)$/).getAttribute('aria-current')).toBe('page');
    await expectAccessible(page);

    await wade.getByRole('button', { name: 'Trash' }).click();
    await wade.locator('[data-queue-status]', { hasText: 'Trashed' }).waitFor();
    await page.reload();
    await tab(page, /^Trash \(1\)$/).click();
    await page.waitForURL(`${parley.url}/moderation?status=trash`);
    const trashed = queueItem(page, 'Cheap film reviews');
    await trashed.waitFor();
    expect(await trashed.locator('[data-queue-guest]').textContent()).toContain('wade@example.com');
    await expectAccessible(page);

    await trashed.getByRole('button', { name: 'Restore' }).click();
    await page.waitForURL(`${parley.url}/moderation?status=trash`);
    await page.getByText('The trash is empty.').waitFor();
    await tab(page, /^Pending \(2\)$/).click();
    await queueItem(page, 'Cheap film reviews').waitFor();

    const zedItem = queueItem(page, 'Zed liked the soundtrack');
    await zedItem.getByRole('button', { name: 'Trash' }).click();
    await zedItem.locator('[data-queue-status]', { hasText: 'Trashed' }).waitFor();
    await page.reload();
    await tab(page, /^Trash \(1\)$/).click();
    await queueItem(page, 'Zed liked the soundtrack').waitFor();
    await page.getByRole('button', { name: 'Empty trash' }).click();
    await page.waitForURL(`${parley.url}/moderation?status=trash`);
    await page.getByText('The trash is empty.').waitFor();
    expect(await tab(page, /^Trash \(0\)$/).count()).toBe(1);

    // Gone for good: not in the trash to restore, while the restored one waits for a decision.
    const trash = await api<ModerationQueuePage>(
      'GET',
      '/api/v1/moderation/queue?status=trash',
      undefined,
      admin.accessToken,
    );
    expect(trash.body.items).toEqual([]);
    expect(
      (await api('POST', `/api/v1/comments/${zed.id}/restore`, undefined, admin.accessToken))
        .status,
    ).toBe(409);
    const held = await api<ModerationQueuePage>(
      'GET',
      '/api/v1/moderation/queue?status=held',
      undefined,
      admin.accessToken,
    );
    expect(held.body.items.map((i) => i.body)).toEqual(['Cheap film reviews at my site']);
    await context.close();
  });
});
