import type { PostCommentResponse, TokensResponse } from '@parley/contracts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PASSWORD, ReaderBlog, logIn as signIn, until } from './blog';
import { accessibilityProblems, describeBrowser, launchChromium } from './browser';

const NEW_PASSWORD = 'a new password to remember';

/** What a reader does for themselves: a forgotten password, an edit, their subscriptions, their address. */
describeBrowser('a reader helping themselves, in Chromium', () => {
  let browser: Browser;
  let admin: TokensResponse;
  let rae: TokensResponse;
  let postPath: string;
  let postId: string;
  const problems: string[] = [];

  const blog = new ReaderBlog();

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      // Lets the accessibility checker's script into the page; the page itself loads no other.
      bypassCSP: true,
    });
    return { context, page: await context.newPage() };
  }

  /** axe-core on the page as it is now: serious and critical violations are kept for the last test. */
  async function checkAccessibility(page: Page): Promise<void> {
    const path = new URL(page.url()).pathname;
    for (const problem of await accessibilityProblems(page)) problems.push(`${path}: ${problem}`);
  }

  const logIn = (page: Page, email: string, password: string, next = postPath) =>
    signIn(page, blog.url, email, password, next);

  beforeAll(async () => {
    await blog.open();
    browser = await launchChromium();
    admin = await blog.register('boots@blog.example', 'Boots');
    rae = await blog.register('rae@example.com', 'Rae');
    ({ id: postId, path: postPath } = await blog.publishedPost(admin.accessToken, {
      title: 'Paterson',
      body: 'A bus driver who writes *poems*.',
    }));
    await blog.api('PUT', '/api/v1/settings/comments', { floodSeconds: 0 }, admin.accessToken);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await blog.close();
  });

  it('resets a forgotten password through the mail, and logs in with the new one', async () => {
    const { context, page } = await newPage();
    await page.goto(`${blog.url}/login`);
    await checkAccessibility(page);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL(`${blog.url}/forgot-password`);
    await checkAccessibility(page);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('rae@example.com');
    await page.getByRole('button', { name: 'Mail me a link' }).click();
    expect(await page.locator('h1').textContent()).toBe('Check your mail');

    const mail = await until(() =>
      blog.parley.mailbox
        .messages()
        .find((m) => m.to === 'rae@example.com' && m.subject === 'Choose a new password'),
    );
    const link = /https?:\/\/[^/\s]+(\/reset-password\?token=[^\s"<>]+)/.exec(mail.text)?.[1];
    expect(link).toBeDefined();
    await page.goto(`${blog.url}${link}`);
    await checkAccessibility(page);
    await page.getByLabel('New password (at least 10 characters)').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.waitForURL(/\/login\?password-reset=1$/);
    expect(await page.getByRole('status').first().textContent()).toContain(
      'Your password is changed',
    );

    // The link worked once; the sessions Rae had before are over.
    await page.goto(`${blog.url}${link}`);
    await page.getByLabel('New password (at least 10 characters)').fill('and yet another one');
    await page.getByRole('button', { name: 'Set the password' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/used or replaced/);
    expect((await blog.api('GET', '/api/v1/me', undefined, rae.accessToken)).status).toBe(401);

    await logIn(page, 'rae@example.com', PASSWORD);
    expect(await page.getByRole('alert').textContent()).toMatch(/not right/);
    await logIn(page, 'rae@example.com', NEW_PASSWORD);
    await page.waitForURL(`${blog.url}${postPath}`);
    expect(await page.locator('.site-header .who').textContent()).toBe('Rae');
    await context.close();
  });

  it('edits a comment within the edit window, and never hears of it as a new comment', async () => {
    const { context, page } = await newPage();
    await logIn(page, 'rae@example.com', NEW_PASSWORD);
    await page.waitForURL(`${blog.url}${postPath}`);
    await page.locator('#comment-body').fill('Rae liked the twins.');
    await page.getByRole('button', { name: 'Post Comment' }).click();
    const mine = page.locator('li.comment', { hasText: 'Rae liked the twins.' });
    await mine.waitFor();
    // Long enough for the live stream to have told of the comment.
    await page.waitForTimeout(1500);
    expect(await page.locator('[data-new-comments]').isHidden()).toBe(true);

    await mine.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/[?&]edit=/);
    await checkAccessibility(page);
    const editor = page.getByLabel('Edit your comment');
    expect(await editor.inputValue()).toBe('Rae liked the twins.');
    await editor.fill('Rae liked the twins, and the dog.');
    await page.getByRole('button', { name: 'Save' }).click();
    const edited = page.locator('li.comment', { hasText: 'Rae liked the twins, and the dog.' });
    await edited.waitFor();
    expect(await edited.locator('.edited').textContent()).toBe('edited');

    // Someone else's comment offers no Edit.
    await blog.api<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: 'Boots thinks of Laura.' },
      admin.accessToken,
    );
    await page.reload();
    const theirs = page.locator('li.comment', { hasText: 'Boots thinks of Laura.' });
    await theirs.waitFor();
    expect(await theirs.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    await context.close();
  });

  it('reaches the subscriptions and the unread count from a post page and from the front page', async () => {
    const { context, page } = await newPage();
    await logIn(page, 'rae@example.com', NEW_PASSWORD);
    await page.waitForURL(`${blog.url}${postPath}`);
    const raes = await blog.api<{ items: { id: string; author: { name: string } | null }[] }>(
      'GET',
      `/api/v1/posts/${postId}/comments`,
    );
    const mine = raes.body.items.find((c) => c.author?.name === 'Rae');
    await blog.api(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: 'Boots answers Rae.', parentId: mine?.id },
      admin.accessToken,
    );
    for (const start of [postPath, '/']) {
      await page.goto(`${blog.url}${start}`);
      await until(async () => {
        await page.waitForTimeout(200);
        await page.reload();
        return (await page.locator('a.bell').getAttribute('aria-label')) ===
          'Notifications, 1 unread'
          ? true
          : undefined;
      });
      await checkAccessibility(page);
      await page.getByRole('link', { name: 'Subscriptions' }).click();
      await page.waitForURL(`${blog.url}/subscriptions/manage`);
      expect(await page.locator('h1').textContent()).toBe('Your subscriptions');
    }
    await checkAccessibility(page);
    await context.close();
  });

  it('tells a new reader to check the mail, and that no mail reaches them until they do', async () => {
    const { context, page } = await newPage();
    await page.goto(`${blog.url}/register`);
    expect(await page.locator('main').textContent()).toMatch(/check your mail/i);
    await checkAccessibility(page);
    await page.getByLabel('Display name').fill('Nell');
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('nell@example.com');
    await page.getByLabel('Password (at least 10 characters)').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${blog.url}/`);
    const notice = page.locator('.notice.unverified');
    expect(await notice.textContent()).toMatch(/Parley sends\s+you no email/);
    await checkAccessibility(page);
    const before = blog.parley.mailbox.messages().filter((m) => m.to === 'nell@example.com').length;
    await notice.getByRole('button', { name: 'Send the link again' }).click();
    expect(await page.locator('h1').textContent()).toBe('Check your mail');
    expect(blog.parley.mailbox.messages().filter((m) => m.to === 'nell@example.com')).toHaveLength(
      before + 1,
    );

    const verify = /\/api\/v1\/auth\/verify-email\?token=[^\s"<>]+/.exec(
      blog.parley.mailbox.messages().filter((m) => m.to === 'nell@example.com')[0]?.text ?? '',
    )?.[0];
    await page.goto(`${blog.url}${verify}`);
    await page.waitForURL(/email-verified=1/);
    expect(await page.locator('.notice.unverified').count()).toBe(0);
    await context.close();
  });

  it('has no serious accessibility problem on any page the reader saw', () => {
    expect(problems).toEqual([]);
  });
});
