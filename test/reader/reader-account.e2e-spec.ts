import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PostCommentResponse, TokensResponse } from '@parley/contracts';
import type { Browser } from 'playwright-core';
import { ReaderBlog, until } from './blog';
import { accessibilityProblems, describeBrowser, launchChromium } from './browser';

const SHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');

/** The pages of signed-in readers, authors and subscribers: the bell, the inbox, the subscription manager, the editor. */
describeBrowser('the reader page for accounts and subscribers, in Chromium', () => {
  let browser: Browser;
  let admin: TokensResponse;
  let amy: TokensResponse;
  let postId: string;
  let postPath: string;
  let firstComment: PostCommentResponse;

  const blog = new ReaderBlog();
  const loggedIn = (email: string, scheme: 'light' | 'dark' = 'light') =>
    blog.signedIn(browser, email, postPath, scheme);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await blog.open();
    browser = await launchChromium();
    admin = await blog.register('boots@blog.example', 'Boots');
    amy = await blog.register('amy@example.com', 'Amy');
    ({ id: postId, path: postPath } = await blog.publishedPost(admin.accessToken, {
      title: 'Her',
      body: 'A film about *loneliness*.',
    }));
    await blog.api('PUT', '/api/v1/settings/comments', { floodSeconds: 0 }, admin.accessToken);
    firstComment = (
      await blog.api<PostCommentResponse>(
        'POST',
        `/api/v1/posts/${postId}/comments`,
        { body: 'Amy thinks it is about connection.' },
        amy.accessToken,
      )
    ).body;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await blog.close();
  });

  it('rings the bell when someone replies, and the inbox says why', async () => {
    const { context, page } = await loggedIn('amy@example.com');
    const bell = page.locator('a.bell');
    await until(async () => ((await bell.getAttribute('aria-label')) ? true : undefined));
    await blog.api(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: 'Boots answers Amy.', parentId: firstComment.id },
      admin.accessToken,
    );
    // The reply reaches the bell through the policy, the relay and the live feed: slow at CI load.
    await page.locator('[data-unread]:not([hidden])').waitFor({ timeout: 50_000 });
    expect(await page.locator('[data-unread]').textContent()).toBe('1');
    expect(await bell.getAttribute('aria-label')).toBe('Notifications, 1 unread');

    await bell.click();
    await page.waitForURL(`${blog.url}/notifications`);
    expect(await page.locator('main').textContent()).toContain('Boots');
    await page.getByRole('link', { name: 'Why was I notified?' }).first().click();
    expect(await page.locator('h1').textContent()).toBe('Why was I notified?');
    expect((await page.locator('main').textContent())?.toLowerCase()).toContain('repl');
    await context.close();
  });

  it('lets a guest manage subscriptions from the mail link, without logging in, and unsubscribe in one click', async () => {
    const guest = await blog.api<PostCommentResponse>('POST', `/api/v1/posts/${postId}/comments`, {
      body: 'A guest who wants every new comment.',
      author: { name: 'Wade', email: 'wade@example.com' },
      notify: 'all',
    });
    expect(guest.status).toBe(201);
    const confirmation = await until(() =>
      blog.parley.mailbox.messages().find((m) => m.to === 'wade@example.com'),
    );
    const confirm = /\/api\/v1\/subscriptions\/confirm\?token=[^\s"<>]+/.exec(
      confirmation.text,
    )?.[0];
    expect(confirm).toBeDefined();
    expect((await fetch(`${blog.url}${confirm}`, { redirect: 'manual' })).status).toBeLessThan(400);
    await blog.api(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: 'A new comment Wade hears of.' },
      amy.accessToken,
    );
    const notification = await until(() =>
      blog.parley.mailbox
        .messages()
        .find(
          (m) => m.to === 'wade@example.com' && m.text.includes('/subscriptions/manage?token='),
        ),
    );
    const manage = /\/subscriptions\/manage\?token=[^\s"<>]+/.exec(notification.text)?.[0] ?? '';

    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${blog.url}${manage}`);
    expect(await page.locator('h1').textContent()).toBe('Your subscriptions');
    expect(await page.locator('main').textContent()).toContain('active');
    const unsubscribe = page.getByRole('button', { name: 'Unsubscribe' });
    const active = await unsubscribe.count();
    expect(active).toBeGreaterThan(0);
    for (let i = 0; i < active; i++)
      await Promise.all([page.waitForNavigation(), unsubscribe.first().click()]);
    expect(await unsubscribe.count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain('(active');

    const before = blog.parley.mailbox.messages().filter((m) => m.to === 'wade@example.com').length;
    await blog.api(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: 'Wade no longer hears of this one.' },
      admin.accessToken,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(blog.parley.mailbox.messages().filter((m) => m.to === 'wade@example.com')).toHaveLength(
      before,
    );
    await context.close();
  });

  it('lets the author write with a Markdown preview and publish', async () => {
    const { context, page } = await loggedIn('boots@blog.example');
    await page.goto(`${blog.url}/write`);
    await page.getByLabel('Title').fill('Lost in Translation');
    await page.getByLabel('Body (Markdown)').fill('Bill Murray, **whispering**.');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.locator('[data-preview-target]');
    await preview.locator('strong').waitFor();
    expect(await preview.locator('strong').textContent()).toBe('whispering');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/\/posts\/lost-in-translation/);
    expect(await page.locator('article.post h1').textContent()).toBe('Lost in Translation');
    await context.close();
  });

  it('is operable by keyboard: skip link first, then the form in order, and Reply opens the inline form', async () => {
    const { context, page } = await loggedIn('amy@example.com');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    const reply = page.locator(`#comment-${firstComment.id} .reply-link`).first();
    await reply.focus();
    await page.keyboard.press('Enter');
    const inline = page.locator(`#comment-${firstComment.id} textarea`);
    await inline.waitFor();
    expect(
      await page.evaluate(
        `document.activeElement === document.querySelector('#comment-${firstComment.id} textarea')`,
      ),
    ).toBe(true);
    await context.close();
  });

  it("lets an account download its data from its page, and a guest ask for theirs by mail from the reader page's link", async () => {
    const { context, page } = await loggedIn('amy@example.com');
    await page.getByRole('link', { name: 'Amy', exact: true }).click();
    expect(await page.locator('h1').textContent()).toBe('Your account');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export my data' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^parley-personal-data-\d{4}-\d\d-\d\d\.json$/);
    const file = await download.path();
    const data = JSON.parse(await readFile(file, 'utf8')) as {
      person: { kind: string };
      account: { email: string };
    };
    expect(data.person.kind).toBe('account');
    expect(data.account.email).toBe('amy@example.com');
    await context.close();

    const guest = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const reader = await guest.newPage();
    await reader.goto(`${blog.url}${postPath}`);
    await reader.getByRole('link', { name: 'Export my data' }).click();
    expect(await reader.locator('h1').textContent()).toBe('Your data');
    await reader.getByLabel('Email').first().fill('wade@example.com');
    await reader.getByRole('button', { name: 'Mail me a link' }).click();
    expect(await reader.locator('h1').textContent()).toBe('Check your mail');
    const mail = await until(() =>
      blog.parley.mailbox
        .messages()
        .find(
          (m) => m.to === 'wade@example.com' && m.text.includes('/api/v1/personal-data?token='),
        ),
    );
    const link = /\/api\/v1\/personal-data\?token=[^\s"<>]+/.exec(mail.text)?.[0] ?? '';
    const answer = await fetch(`${blog.url}${link}`);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { person: { email: string } }).person.email).toBe(
      'wade@example.com',
    );
    await guest.close();
  });

  it('lets a guest delete their data from the privacy page: a mailed link opens a page whose button erases, and their comment stays as by "Deleted reader"', async () => {
    const written = await blog.api<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      {
        body: 'Quinn was here, and would rather not be.',
        author: { name: 'Quinn Guest', email: 'quinn@example.com' },
      },
    );
    expect(written.status).toBe(201);
    if (written.body.status !== 'approved')
      await blog.api(
        'POST',
        `/api/v1/comments/${written.body.id}/moderation`,
        { status: 'approved' },
        admin.accessToken,
      );
    const threadText = async () => {
      const thread = await blog.api<{ items: unknown[] }>(
        'GET',
        `/api/v1/posts/${postId}/comments`,
      );
      return JSON.stringify(thread.body.items);
    };
    await until(async () => ((await threadText()).includes('Quinn Guest') ? true : undefined));

    const guest = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const reader = await guest.newPage();
    await reader.goto(`${blog.url}${postPath}`);
    await reader.getByRole('link', { name: 'Delete my data' }).click();
    await reader.getByLabel('Email').last().fill('quinn@example.com');
    await reader.getByRole('button', { name: 'Delete my data' }).click();
    expect(await reader.locator('h1').textContent()).toBe('Check your mail');
    const mail = await until(() =>
      blog.parley.mailbox
        .messages()
        .find((m) => m.to === 'quinn@example.com' && m.text.includes('/privacy/erase?token=')),
    );
    const link = /\/privacy\/erase\?token=[^\s"<>]+/.exec(mail.text)?.[0] ?? '';
    await reader.goto(`${blog.url}${link}`);
    // Opening the link erases nothing: only its button does.
    expect(await threadText()).toContain('Quinn Guest');
    await reader.getByRole('button', { name: 'Erase my data' }).click();
    expect(await reader.locator('h1').textContent()).toBe('Your data is erased');
    await until(async () => {
      await reader.goto(`${blog.url}${postPath}`);
      const shown = await reader.locator(`#comment-${written.body.id}`).textContent();
      return shown?.includes('Deleted reader') && !shown.includes('Quinn Guest') ? true : undefined;
    });
    expect(await reader.locator(`#comment-${written.body.id}`).textContent()).toContain(
      'would rather not be',
    );
    // Nowhere on the page: not in a reply's label, a feed or the page's data.
    expect(await reader.content()).not.toContain('Quinn Guest');
    await guest.close();
  });

  it('has no serious accessibility problems, in light and dark, on the post page, the inbox and the subscription manager', async () => {
    const problems: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page } = await loggedIn('boots@blog.example', scheme);
      for (const path of [
        postPath,
        '/notifications',
        '/moderation',
        '/write',
        '/subscriptions/manage',
        '/account',
        '/privacy',
      ]) {
        await page.goto(`${blog.url}${path}`);
        for (const problem of await accessibilityProblems(page))
          problems.push(`${scheme} ${path}: ${problem}`);
      }
      if (scheme === 'dark')
        await page.screenshot({ path: join(SHOTS, 'post-page-dark.png'), fullPage: false });
      await context.close();
    }
    expect(problems).toEqual([]);
  });
});
