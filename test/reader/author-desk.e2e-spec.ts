import type { AccountView, CommentSettingsView, PostView, TokensResponse } from '@parley/contracts';
import type { Browser, Page } from 'playwright-core';
import { sharedFixture } from '../support/shared-fixtures';
import { ReaderBlog, until } from './blog';
import { accessibilityProblems, describeBrowser, launchChromium } from './browser';

/** The author's desk and the blog's settings, driven through the pages as their owners would. */
describeBrowser('the author’s desk and the settings page, in Chromium', () => {
  let browser: Browser;
  let admin: TokensResponse;
  const problems: string[] = [];

  const blog = new ReaderBlog();
  const loggedIn = (email: string, next: string, scheme: 'light' | 'dark' = 'light') =>
    blog.signedIn(browser, email, next, scheme);

  /** axe-core on the page as it stands: serious and critical violations, kept for the last test. */
  async function checkAccessibility(page: Page): Promise<void> {
    const path = new URL(page.url()).pathname;
    for (const problem of await accessibilityProblems(page)) problems.push(`${path}: ${problem}`);
  }

  const row = (page: Page, slug: string) => page.locator(`[data-desk-post="${slug}"]`);

  /** The comment settings as the API has them now. */
  const commentSettings = async () =>
    (
      await blog.api<CommentSettingsView>(
        'GET',
        '/api/v1/settings/comments',
        undefined,
        admin.accessToken,
      )
    ).body;

  beforeAll(async () => {
    await blog.open();
    browser = await launchChromium();
    admin = await blog.register('boots@blog.example', 'Boots');
    const ana = await blog.register('ana@blog.example', 'Ana');
    const roles = await blog.api<AccountView>(
      'PUT',
      `/api/v1/accounts/${ana.account.id}/roles`,
      { roles: ['author'] },
      admin.accessToken,
    );
    expect(roles.status).toBe(200);
    await blog.register('rita@example.com', 'Rita');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await blog.close();
  });

  it('lets an author write a draft, schedule a post, edit a published one, close its comments and delete a post', async () => {
    const { context, page } = await loggedIn('ana@blog.example', '/desk/posts');
    expect(await page.locator('h1').textContent()).toBe('Posts');
    await checkAccessibility(page);

    await page.getByRole('link', { name: 'Write a post' }).click();
    await page.getByLabel('Title').fill('Notes on Paris, Texas');
    await page.getByLabel('Body (Markdown)').fill('Half an idea, for *later*.');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL(/\/posts\/notes-on-paris-texas\/edit$/);
    await checkAccessibility(page);

    await page.goto(`${blog.url}/write`);
    await page.getByLabel('Title').fill('Wings of Desire');
    await page.getByLabel('Body (Markdown)').fill('Angels over Berlin.');
    await page.getByLabel('Publish at (for scheduling, UTC)').fill('2031-03-04T09:30');
    await page.getByRole('button', { name: 'Schedule' }).click();
    await page.waitForURL(/\/posts\/wings-of-desire\/edit$/);

    await page.goto(`${blog.url}/write`);
    await page.getByLabel('Title').fill('Stalker');
    await page.getByLabel('Body (Markdown)').fill('The Zone grants wishes.');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/\/posts\/stalker$/);

    await page.goto(`${blog.url}/desk/posts`);
    const drafts = page.locator('[data-desk-section="draft"]');
    const scheduled = page.locator('[data-desk-section="scheduled"]');
    const published = page.locator('[data-desk-section="published"]');
    expect(await drafts.locator('tbody tr').count()).toBe(1);
    expect(
      await row(page, 'notes-on-paris-texas').locator('[data-desk-status]').textContent(),
    ).toBe('Draft');
    expect(await scheduled.locator('tbody tr').count()).toBe(1);
    const wings = row(page, 'wings-of-desire');
    expect(await wings.locator('[data-desk-status]').textContent()).toBe('Scheduled');
    expect(await wings.locator('time').getAttribute('datetime')).toBe('2031-03-04T09:30:00.000Z');
    expect(await published.locator('tbody tr').count()).toBe(1);
    expect(await row(page, 'stalker').locator('[data-desk-comment-count]').textContent()).toBe('0');
    await checkAccessibility(page);

    // The published post: its page links to the editor, whose save changes the post as published.
    await page.goto(`${blog.url}/posts/stalker`);
    await page.locator('.byline').getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/\/posts\/stalker\/edit$/);
    expect(await page.getByRole('button', { name: 'Save draft' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Unpublish' }).count()).toBe(1);
    await page.getByLabel('Body (Markdown)').fill('The Zone grants your **innermost** wish.');
    await page.getByLabel('Comments', { exact: true }).selectOption('auto-close');
    await page.getByRole('button', { name: 'Update' }).click();
    const daysError = page.locator('#autoCloseDays-error');
    await daysError.waitFor();
    expect(
      await page.getByLabel('Days after publication (to close after)').getAttribute('aria-invalid'),
    ).toBe('true');
    await checkAccessibility(page);
    await page.getByLabel('Days after publication (to close after)').fill('30');
    await page.getByRole('button', { name: 'Update' }).click();
    await page.waitForURL(/\/posts\/stalker\/edit$/);
    expect(await page.getByLabel('Comments', { exact: true }).inputValue()).toBe('auto-close');
    await checkAccessibility(page);
    await page.goto(`${blog.url}/posts/stalker`);
    expect(await page.locator('.post-body strong').textContent()).toBe('innermost');
    expect(await page.locator('.byline').textContent()).not.toContain('draft');

    // Comments: closed from the desk, the post page says so.
    await page.goto(`${blog.url}/desk/posts`);
    expect(await row(page, 'stalker').locator('[data-desk-comments-state]').textContent()).toBe(
      '(open, closing after 30 days)',
    );
    await row(page, 'stalker').getByRole('button', { name: 'Close comments on “Stalker”' }).click();
    await page.waitForURL(`${blog.url}/desk/posts`);
    expect(await row(page, 'stalker').locator('[data-desk-comments-state]').textContent()).toBe(
      '(closed)',
    );
    await until(async () => {
      await page.goto(`${blog.url}/posts/stalker`);
      return (await page.locator('#respond').textContent())?.includes('Comments are closed.')
        ? true
        : undefined;
    });

    // Delete: the link asks first; keeping it changes nothing, confirming removes it.
    await page.goto(`${blog.url}/desk/posts`);
    await row(page, 'notes-on-paris-texas')
      .getByRole('link', { name: 'Delete “Notes on Paris, Texas”' })
      .click();
    expect(await page.locator('h1').textContent()).toBe('Delete “Notes on Paris, Texas”?');
    await checkAccessibility(page);
    await page.getByRole('link', { name: 'Keep it' }).click();
    expect(await row(page, 'notes-on-paris-texas').count()).toBe(1);
    await row(page, 'notes-on-paris-texas')
      .getByRole('link', { name: 'Delete “Notes on Paris, Texas”' })
      .click();
    await page.getByRole('button', { name: 'Delete the post' }).click();
    await page.waitForURL(`${blog.url}/desk/posts`);
    expect(await row(page, 'notes-on-paris-texas').count()).toBe(0);
    expect(await page.locator('[data-desk-section="draft"]').count()).toBe(0);
    expect(
      (await blog.api('GET', '/api/v1/posts/notes-on-paris-texas', undefined, admin.accessToken))
        .status,
    ).toBe(404);

    // An author has no settings page.
    const settings = await page.goto(`${blog.url}/settings`);
    expect(settings?.status()).toBe(403);
    await context.close();
  });

  it('keeps the desk from readers and shows the post’s Edit link to its author and admins only', async () => {
    const { context, page } = await loggedIn('rita@example.com', '/posts/stalker');
    expect(await page.locator('.byline').getByRole('link', { name: 'Edit' }).count()).toBe(0);
    const nav = page.getByRole('navigation', { name: 'Account' });
    expect(await nav.getByRole('link', { name: 'Posts', exact: true }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Settings', exact: true }).count()).toBe(0);
    const desk = await page.goto(`${blog.url}/desk/posts`);
    expect(desk?.status()).toBe(403);
    const importing = await page.goto(`${blog.url}/desk/import`);
    expect(importing?.status()).toBe(403);
    await context.close();
    const boots = await loggedIn('boots@blog.example', '/posts/stalker');
    expect(await boots.page.locator('.byline').getByRole('link', { name: 'Edit' }).count()).toBe(1);
    await boots.context.close();
  });

  it('lets an admin change every setting from the settings page, and says inline what is wrong', async () => {
    const { context, page } = await loggedIn('boots@blog.example', '/settings');
    await checkAccessibility(page);
    await page.getByLabel('Thread depth').fill('3');
    await page.getByLabel('Top-level comments per page').fill('25');
    await page.getByLabel('Show comments').selectOption('newest');
    await page.getByLabel('Edit window (minutes)').fill('30');
    await page.getByLabel('Flood interval (seconds)').fill('20');
    await page.getByLabel('A moderator must approve every comment').check();
    await page.getByLabel('Guests must have had a comment approved before').check();
    await page.getByLabel('Accounts must have had a comment approved before').check();
    await page.getByLabel('Links threshold').fill('4');
    await page.getByLabel('Hold words').fill('casino\nfree money');
    await page.getByLabel('Spam words').fill('viagra');
    await page.getByLabel('Blog title').fill('Field Notes');
    await page.getByLabel('Tagline').fill('Notes from the field');
    await page.getByLabel('Comments on new posts').selectOption('auto-close');
    await page.getByLabel('Close comments after (days)').fill('21');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL(`${blog.url}/settings?saved=1`);
    expect(await page.locator('p.notice').textContent()).toBe('The settings are saved.');
    // The blog goes by its new name at once, on every page and in its feed.
    expect(await page.locator('.site-title').textContent()).toBe('Field Notes');
    expect(await page.title()).toBe('Settings · Field Notes');
    await page.goto(`${blog.url}/`);
    expect(await page.title()).toBe('Field Notes');
    expect(await page.locator('meta[name="description"]').getAttribute('content')).toBe(
      'Notes from the field',
    );
    const feed = await fetch(`${blog.url}/feed`).then((r) => r.text());
    expect(feed).toContain('<title>Field Notes</title>');
    const nav = page.getByRole('navigation', { name: 'Account' });
    expect(await nav.getByRole('link', { name: 'Posts', exact: true }).getAttribute('href')).toBe(
      '/desk/posts',
    );
    expect(
      await nav.getByRole('link', { name: 'Settings', exact: true }).getAttribute('href'),
    ).toBe('/settings');
    const fresh = await blog.api<PostView>(
      'POST',
      '/api/v1/posts',
      { title: 'Under the new default', body: 'Body' },
      admin.accessToken,
    );
    expect(fresh.body.commentSettings).toEqual({ mode: 'auto-close', autoCloseDays: 21 });
    await page.goto(`${blog.url}/settings`);
    expect(await page.getByLabel('Blog title').inputValue()).toBe('Field Notes');
    expect(await page.getByLabel('Comments on new posts').inputValue()).toBe('auto-close');
    expect(await commentSettings()).toMatchObject({
      threadDepth: 3,
      commentsPerPage: 25,
      defaultOrder: 'newest',
      editWindowMinutes: 30,
      floodSeconds: 20,
      requireApproval: true,
      requirePreviouslyApproved: { guests: true, accounts: true },
      maxLinks: 4,
      holdWords: ['casino', 'free money'],
      spamWords: ['viagra'],
    });
    expect(await page.getByLabel('Hold words').inputValue()).toBe('casino\nfree money');

    await page.getByLabel('Thread depth').fill('11');
    await page.getByLabel('A moderator must approve every comment').uncheck();
    await page.getByLabel('Blog title').fill(' ');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const error = page.locator('[data-field-error="threadDepth"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/10/);
    expect(await page.getByLabel('Blog title').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.site-title').textContent()).toBe('Field Notes');
    expect(await page.getByLabel('Thread depth').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Thread depth').inputValue()).toBe('11');
    expect(await page.getByLabel('A moderator must approve every comment').isChecked()).toBe(false);
    expect(await page.locator('[data-field-error]').count()).toBe(2);
    await checkAccessibility(page);
    expect(await commentSettings()).toMatchObject({ threadDepth: 3, requireApproval: true });

    await page.getByLabel('Thread depth').fill('5');
    await page.getByLabel('Blog title').fill('Field Notes');
    await page.getByLabel('A moderator must approve every comment').uncheck();
    await page.getByLabel('Guests must have had a comment approved before').uncheck();
    await page.getByLabel('Accounts must have had a comment approved before').uncheck();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL(`${blog.url}/settings?saved=1`);
    expect(await commentSettings()).toMatchObject({
      threadDepth: 5,
      requireApproval: false,
      requirePreviouslyApproved: { guests: false, accounts: false },
    });
    await context.close();
  });

  it('lets an author import a WordPress export from the desk, follow it to the end and run it again to no effect, and refuses a file that is not one', async () => {
    const { context, page } = await loggedIn('ana@blog.example', '/desk/posts');
    await page.getByRole('link', { name: 'Import from WordPress' }).click();
    await page.waitForURL(`${blog.url}/desk/import`);
    await checkAccessibility(page);
    const file = page.getByLabel('WordPress export (.xml)');
    await file.setInputFiles({
      name: 'notes.xml',
      mimeType: 'application/xml',
      buffer: Buffer.from('<notes><note>Not an export</note></notes>'),
    });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('heading', { name: 'The file was not imported' }).waitFor();
    expect(await page.locator('main').textContent()).toMatch(/WordPress export/i);

    // The upload's form token is checked as its stream reaches it: a forged or missing one is refused.
    const forged = await page.evaluate(async () => {
      const statuses: number[] = [];
      for (const token of ['forged', null]) {
        const form = new FormData();
        if (token) form.append('_csrf', token);
        form.append('file', new Blob(['<rss version="2.0"></rss>']), 'export.xml');
        statuses.push((await fetch('/desk/import', { method: 'POST', body: form })).status);
      }
      return statuses;
    });
    expect(forged).toEqual([403, 403]);

    const imported = async (): Promise<string> => {
      await page.goto(`${blog.url}/desk/import`);
      await file.setInputFiles(sharedFixture('wordpress', 'themeunittestdata.wordpress.xml'));
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.waitForURL(/\/desk\/imports\/[0-9a-f-]+$/);
      // The page reloads itself until the import is over.
      await page.locator('[data-import-state="done"]').waitFor({ timeout: 90_000 });
      return (await page.locator('[data-import-comments]').textContent()) ?? '';
    };
    const first = await imported();
    expect(first).toMatch(/^\s*[1-9]\d* new, 0 already here/);
    await checkAccessibility(page);
    const post = await page.goto(`${blog.url}/posts/template-comments`);
    expect(post?.status()).toBe(200);
    expect(await page.locator('[data-comment-id]').count()).toBeGreaterThan(10);
    const again = await imported();
    expect(again).toMatch(/^\s*0 new, [1-9]\d* already here/);
    await context.close();
  });

  it('has no serious accessibility problems in the dark scheme either', async () => {
    const { context, page } = await loggedIn('boots@blog.example', '/desk/posts', 'dark');
    await checkAccessibility(page);
    await page.goto(`${blog.url}/posts/stalker/edit`);
    await checkAccessibility(page);
    await page.goto(`${blog.url}/settings`);
    await checkAccessibility(page);
    await context.close();
  });

  it('has no serious accessibility problems on the pages it visited', () => {
    expect(problems).toEqual([]);
  });
});
