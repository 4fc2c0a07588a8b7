import type { ModerationQueuePage, PostCommentResponse, TokensResponse } from '@parley/contracts';
import type { Browser, Page } from 'playwright-core';
import { ReaderBlog } from './blog';
import { accessibilityProblems, describeBrowser, launchChromium } from './browser';

/** A moderator's day: the queue with who a guest is, the trash, restoring and emptying it. */
describeBrowser('the moderation page in Chromium', () => {
  let browser: Browser;
  let admin: TokensResponse;
  let postId: string;

  const blog = new ReaderBlog();

  async function guestComment(name: string, email: string, body: string) {
    const posted = await blog.api<PostCommentResponse>('POST', `/api/v1/posts/${postId}/comments`, {
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
    await blog.open();
    browser = await launchChromium();
    admin = await blog.register('boots@blog.example', 'Boots');
    ({ id: postId } = await blog.publishedPost(admin.accessToken, {
      title: 'Her',
      body: 'A film about *loneliness*.',
    }));
    await blog.api('PUT', '/api/v1/settings/comments', { floodSeconds: 0 }, admin.accessToken);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await blog.close();
  });

  it('trashes a comment, restores it from the trash, trashes another and empties the trash; a guest shows with their email', async () => {
    await guestComment('Wade', 'wade@example.com', 'Cheap film reviews at my site');
    const zed = await guestComment('Zed', 'zed@example.com', 'Zed liked the soundtrack');

    const { context, page } = await blog.signedIn(browser, 'boots@blog.example', '/moderation');

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
    await page.waitForURL(`${blog.url}/moderation?status=trash`);
    const trashed = queueItem(page, 'Cheap film reviews');
    await trashed.waitFor();
    expect(await trashed.locator('[data-queue-guest]').textContent()).toContain('wade@example.com');
    await expectAccessible(page);

    await trashed.getByRole('button', { name: 'Restore' }).click();
    await page.waitForURL(`${blog.url}/moderation?status=trash`);
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
    await page.waitForURL(`${blog.url}/moderation?status=trash`);
    await page.getByText('The trash is empty.').waitFor();
    expect(await tab(page, /^Trash \(0\)$/).count()).toBe(1);

    // Gone for good: not in the trash to restore, while the restored one waits for a decision.
    const trash = await blog.api<ModerationQueuePage>(
      'GET',
      '/api/v1/moderation/queue?status=trash',
      undefined,
      admin.accessToken,
    );
    expect(trash.body.items).toEqual([]);
    expect(
      (await blog.api('POST', `/api/v1/comments/${zed.id}/restore`, undefined, admin.accessToken))
        .status,
    ).toBe(409);
    const held = await blog.api<ModerationQueuePage>(
      'GET',
      '/api/v1/moderation/queue?status=held',
      undefined,
      admin.accessToken,
    );
    expect(held.body.items.map((i) => i.body)).toEqual(['Cheap film reviews at my site']);
    await context.close();
  });
});
