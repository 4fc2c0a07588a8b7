import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TokensResponse } from '@parley/contracts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PASSWORD, ReaderBlog, logIn as signIn, until } from './blog';
import { describeBrowser, launchChromium } from './browser';

const SHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');

const XSS = [
  '<script>window.__xss = 1; alert(1)</script>',
  '<img src=x onerror="window.__xss = 2; alert(2)">',
  '[click me](javascript:window.__xss=3)',
  '<svg onload="window.__xss=4"><circle r="5"/></svg>',
  '<a href="javascript:alert(5)" onclick="window.__xss=5">x</a>',
  '<iframe src="javascript:alert(6)"></iframe>',
  '<style>body{display:none}</style>',
  '"><img src=x onerror=alert(7)>',
];

describeBrowser('the reader page in Chromium', () => {
  let browser: Browser;
  let admin: TokensResponse;
  let postUrl: string;
  let postId: string;

  const blog = new ReaderBlog();

  /** The thread is a read model: a reload may come a moment before the comment is in it. */
  async function reloadUntilVisible(page: Page, text: string): Promise<void> {
    await until(async () => {
      await page.reload();
      return (await page.locator('li.comment', { hasText: text }).count()) > 0 ? true : undefined;
    });
  }

  async function newReader(
    options: { javaScript?: boolean; viewport?: { width: number; height: number } } = {},
  ): Promise<{ context: BrowserContext; page: Page; dialogs: string[] }> {
    const context = await browser.newContext({
      javaScriptEnabled: options.javaScript ?? true,
      viewport: options.viewport ?? { width: 1280, height: 900 },
      colorScheme: 'light',
    });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    return { context, page, dialogs };
  }

  /** Fills in the comment form (a guest's name, when given, and email too) and posts it. */
  async function postComment(
    page: Page,
    body: string,
    guest?: { name?: string; email: string },
  ): Promise<void> {
    await page.getByRole('textbox', { name: 'Comment', exact: true }).fill(body);
    if (guest?.name !== undefined)
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill(guest.name);
    if (guest) await page.getByRole('textbox', { name: 'Email', exact: true }).fill(guest.email);
    await page.getByRole('button', { name: 'Post Comment' }).click();
  }

  async function logIn(page: Page, email: string): Promise<void> {
    await signIn(page, blog.url, email, PASSWORD, new URL(postUrl).pathname);
    await page.waitForURL(postUrl);
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await blog.open();
    browser = await launchChromium();
    admin = await blog.register('boots@blog.example', 'Boots');
    await blog.register('amy@example.com', 'Amy');
    const post = await blog.publishedPost(admin.accessToken, {
      title: 'Her',
      body: 'A film by **Spike Jonze** about a man who falls for his operating system.\n\n> The past is just a story we tell ourselves.',
      categories: ['Films'],
      series: 'Movie Quote Monday',
      tags: ['her', 'spike-jonze'],
    });
    postId = post.id;
    postUrl = `${blog.url}${post.path}`;
    // Readers in these tests post several comments in a row; flood control has a test of its own.
    await blog.api('PUT', '/api/v1/settings/comments', { floodSeconds: 0 }, admin.accessToken);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await blog.close();
  });

  it('shows the post with its series, body and likes line', async () => {
    const { context, page } = await newReader();
    await page.goto(postUrl);
    expect(await page.locator('article.post h1').textContent()).toBe('Her');
    expect(await page.locator('.post-meta').textContent()).toContain('Movie Quote Monday');
    expect(await page.locator('.post-body strong').textContent()).toBe('Spike Jonze');
    expect(await page.locator('[data-likes-line]').textContent()).toBe(
      'Be the first to like this.',
    );
    expect((await page.locator('#comments-title').textContent())?.replace(/\s+/g, ' ').trim()).toBe(
      '0 Comments',
    );
    await context.close();
  });

  it('lets a guest comment; the held comment shows its notice to its author only, until a moderator approves it', async () => {
    const guest = await newReader();
    const other = await newReader();
    await guest.page.goto(postUrl);
    await postComment(guest.page, 'What a film. I cried at the ending.', {
      name: 'Wade',
      email: 'wade@example.com',
    });

    const mine = guest.page.locator('.comment', { hasText: 'I cried at the ending' });
    await mine.waitFor();
    expect(await mine.locator('.moderation-notice').textContent()).toBe(
      'Your comment is awaiting moderation',
    );
    await reloadUntilVisible(guest.page, 'I cried at the ending');
    expect(await guest.page.content()).not.toContain('wade@example.com');

    await other.page.goto(postUrl);
    expect(await other.page.locator('.comment', { hasText: 'I cried at the ending' }).count()).toBe(
      0,
    );

    const moderator = await newReader();
    await logIn(moderator.page, 'boots@blog.example');
    await moderator.page.goto(`${blog.url}/moderation`);
    const item = moderator.page.locator('[data-queue-item]', { hasText: 'I cried at the ending' });
    await item.waitFor();
    await moderator.page.screenshot({ path: join(SHOTS, 'moderation-queue.png'), fullPage: true });
    await item.getByRole('button', { name: 'Approve' }).click();
    await item.locator('[data-queue-status]', { hasText: 'Approved' }).waitFor();

    await until(async () => {
      await other.page.reload();
      return (await other.page
        .locator('.comment', { hasText: 'I cried at the ending' })
        .count()) === 1
        ? true
        : undefined;
    });
    expect(await other.page.locator('.comment .moderation-notice').count()).toBe(0);
    expect(await other.page.locator('.comment .number').first().textContent()).toBe('#1');
    await Promise.all([guest.context.close(), other.context.close(), moderator.context.close()]);
  });

  it('nests a reply under its parent, in place and after a reload', async () => {
    const amy = await newReader();
    await logIn(amy.page, 'amy@example.com');
    await postComment(amy.page, 'Top-level thought from Amy.');
    const parent = amy.page.locator('li.comment', { hasText: 'Top-level thought from Amy.' });
    await parent.waitFor();

    await parent.getByRole('link', { name: 'Reply' }).click();
    await postComment(amy.page, 'And a reply to myself, nested.');
    const nested = parent.locator('ol.children > li.comment', {
      hasText: 'And a reply to myself, nested.',
    });
    await nested.waitFor();

    await reloadUntilVisible(amy.page, 'And a reply to myself, nested.');
    await amy.page
      .locator('li.comment', { hasText: 'Top-level thought from Amy.' })
      .locator('ol.children > li.comment', { hasText: 'nested' })
      .waitFor();
    await amy.context.close();
  });

  it('brings a comment by another reader in live, behind a new-comments marker', async () => {
    const watcher = await newReader();
    await watcher.page.goto(postUrl);
    const before = await watcher.page.locator('li.comment').count();
    const writer = await blog.api<TokensResponse>('POST', '/api/v1/auth/login', {
      email: 'amy@example.com',
      password: PASSWORD,
    });
    const posted = await blog.api<{ id: string; status: string }>(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: 'Typed in another browser, arriving live.' },
      writer.body.accessToken,
    );
    expect(posted.body.status).toBe('approved');

    const marker = watcher.page.locator('[data-new-comments]');
    await marker.waitFor({ state: 'visible' });
    expect(await marker.textContent()).toBe('1 new comment');
    expect(await watcher.page.locator('li.comment').count()).toBe(before);
    await marker.click();
    await watcher.page.locator('li.comment', { hasText: 'arriving live' }).waitFor();
    expect(await marker.isHidden()).toBe(true);
    await watcher.context.close();
  });

  it('toggles likes and the count follows', async () => {
    const amy = await newReader();
    await logIn(amy.page, 'amy@example.com');
    const like = amy.page.locator('section.likes button');
    await like.click();
    await amy.page
      .locator('[data-likes-line]', { hasText: '1 blogger likes this: Amy.' })
      .waitFor();
    expect(await like.getAttribute('aria-pressed')).toBe('true');
    await amy.page.reload();
    expect(await amy.page.locator('[data-likes-line]').textContent()).toBe(
      '1 blogger likes this: Amy.',
    );
    await amy.page.locator('section.likes button').click();
    await amy.page
      .locator('[data-likes-line]', { hasText: 'Be the first to like this.' })
      .waitFor();

    const commentLike = amy.page
      .locator('li.comment', { hasText: 'I cried at the ending' })
      .locator('.like-form')
      .first();
    await commentLike.getByRole('button').click();
    await commentLike.locator('.like-count', { hasText: '1 like' }).waitFor();
    await commentLike.getByRole('button').click();
    await commentLike.locator('.like-count[data-count="0"]').waitFor({ state: 'attached' });
    await amy.context.close();
  });

  it('renders a comment full of XSS payloads as text: no dialog, no script', async () => {
    const amy = await newReader();
    await logIn(amy.page, 'amy@example.com');
    await postComment(amy.page, XSS.join('\n\n'));
    const comment = amy.page.locator('li.comment', { hasText: 'click me' });
    await comment.waitFor();
    await reloadUntilVisible(amy.page, 'click me');
    await amy.page
      .locator('li.comment', { hasText: 'click me' })
      .getByText('click me')
      .click()
      .catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(amy.dialogs).toEqual([]);
    expect(
      await amy.page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss),
    ).toBeUndefined();
    const body = amy.page.locator('li.comment', { hasText: 'click me' }).locator('.comment-body');
    expect(await body.locator('script, iframe, svg, style, img').count()).toBe(0);
    expect(await body.locator('[onerror], [onload], [onclick]').count()).toBe(0);
    for (const link of await body.locator('a').all()) {
      expect(((await link.getAttribute('href')) ?? '').toLowerCase()).not.toContain('javascript:');
    }
    await amy.context.close();
  });

  it('shows field errors inline, and works without JavaScript', async () => {
    const guest = await newReader();
    await guest.page.goto(postUrl);
    await postComment(guest.page, 'No name given', { email: 'not an address' });
    await guest.page.locator('.field-error').first().waitFor();
    expect(await guest.page.locator('[data-form-error]').textContent()).toContain(
      'Please correct the marked fields.',
    );
    expect(await guest.page.locator('#comment-email').getAttribute('aria-invalid')).toBe('true');
    await guest.page
      .locator('#respond')
      .screenshot({ path: join(SHOTS, 'comment-form-error.png') });
    await guest.context.close();

    const plain = await newReader({ javaScript: false });
    await plain.page.goto(postUrl);
    await postComment(plain.page, 'Posted from a browser without JavaScript.', {
      name: 'Noscript Nora',
      email: 'nora@example.com',
    });
    const held = plain.page.locator('li.comment', { hasText: 'without JavaScript' });
    await held.waitFor();
    expect(await held.locator('.moderation-notice').textContent()).toBe(
      'Your comment is awaiting moderation',
    );
    await plain.context.close();
  });

  it('explains flood control inline with the wait it asks for', async () => {
    // Someone who has not commented yet: their first comment goes through, the second is too soon.
    await blog.api('POST', '/api/v1/auth/register', {
      email: 'quick@example.com',
      password: PASSWORD,
      displayName: 'Quick',
    });
    await blog.api('PUT', '/api/v1/settings/comments', { floodSeconds: 60 }, admin.accessToken);
    try {
      const amy = await newReader();
      await logIn(amy.page, 'quick@example.com');
      await postComment(amy.page, 'First of two quick comments.');
      await amy.page.locator('li.comment', { hasText: 'First of two quick comments.' }).waitFor();
      await postComment(amy.page, 'Second, too soon.');
      const error = amy.page.locator('[data-form-error]');
      await error.waitFor({ state: 'visible' });
      expect(await error.textContent()).toMatch(/second|wait|again/i);
      expect(await amy.page.locator('li.comment', { hasText: 'Second, too soon.' }).count()).toBe(
        0,
      );
      await amy.context.close();
    } finally {
      await blog.api('PUT', '/api/v1/settings/comments', { floodSeconds: 0 }, admin.accessToken);
    }
  });

  it('takes screenshots of the post page on a desktop and on a phone', async () => {
    const desktop = await newReader();
    await desktop.page.goto(postUrl);
    await desktop.page.screenshot({ path: join(SHOTS, 'post-page-desktop.png'), fullPage: true });
    await desktop.context.close();
    const phone = await newReader({ viewport: { width: 390, height: 844 } });
    await phone.page.goto(postUrl);
    const overflow = await phone.page.evaluate(() => {
      const view = globalThis as unknown as {
        innerWidth: number;
        document: { documentElement: { scrollWidth: number } };
      };
      return view.document.documentElement.scrollWidth > view.innerWidth + 1;
    });
    expect(overflow).toBe(false);
    await phone.page.screenshot({ path: join(SHOTS, 'post-page-phone.png'), fullPage: true });
    await phone.context.close();
  });
});
