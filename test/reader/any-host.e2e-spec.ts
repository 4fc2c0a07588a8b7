import type { TokensResponse } from '@parley/contracts';
import { postForJson } from '@parley/testing';
import type { Browser } from 'playwright-core';
import {
  type EmbeddedParley,
  startEmbeddedParley,
} from '../../apps/standalone/src/embedded-platform';
import { PASSWORD } from './blog';
import { accessibilityProblems, describeBrowser, launchChromium } from './browser';

type StyleOf = (element: unknown) => { display: string };

/** How the stylesheet lays out the site header: a row (flex) when it applied, a block when not. */
const headerDisplay = (element: unknown) =>
  (globalThis as unknown as { getComputedStyle: StyleOf }).getComputedStyle(element).display;

/** A name that is not localhost: Chromium treats only localhost as secure without TLS. */
const HOST = 'blog.test';

/** The site opened by a host name over plain HTTP, as on a LAN or a staging box without TLS. */
describeBrowser('the site opened by a host name over plain HTTP, in Chromium', () => {
  let parley: EmbeddedParley;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    parley = await startEmbeddedParley({
      host: '127.0.0.1',
      port: 0,
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    origin = `http://${HOST}:${new URL(parley.url).port}`;
    const call = <T>(path: string, body: unknown, token?: string) =>
      postForJson<T>(parley.url, path, body, token);
    const admin = await call<TokensResponse>('/api/v1/auth/register', {
      email: 'boots@blog.example',
      password: PASSWORD,
      displayName: 'Boots',
    });
    const post = await call<{ id: string }>(
      '/api/v1/posts',
      { title: 'Her', body: 'A film about *talking*.' },
      admin.accessToken,
    );
    await call(`/api/v1/posts/${post.id}/publish`, {}, admin.accessToken);
    browser = await launchChromium([`--host-resolver-rules=MAP ${HOST} 127.0.0.1`]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await parley?.close();
  });

  it('is styled, runs its script and follows a post link without leaving plain HTTP', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));

    await page.goto(`${origin}/`);
    await page.waitForLoadState('load');
    // The stylesheet lays the header out as a row; unstyled it is a block.
    expect(await page.locator('.site-header').evaluate(headerDisplay)).toBe('flex');
    expect(requested).toEqual(
      expect.arrayContaining([`${origin}/assets/parley.css`, `${origin}/assets/parley.js`]),
    );
    expect(requested.filter((url) => url.startsWith('https:'))).toEqual([]);
    expect(failed).toEqual([]);

    await page.getByRole('link', { name: 'Her' }).click();
    await page.waitForURL(`${origin}/posts/her`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Her');

    await page.goto(`${origin}/no/such/page`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Not found');
    expect(await page.locator('.site-header').evaluate(headerDisplay)).toBe('flex');
    await context.close();
  });

  it('has no serious accessibility problems on the pages it opened', async () => {
    // A context of its own: the checker's script needs the page's policy lifted, which the test
    // above must not have, as the policy is what it checks.
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      bypassCSP: true,
    });
    const page = await context.newPage();
    const problems: string[] = [];
    for (const path of ['/', '/posts/her', '/no/such/page']) {
      await page.goto(`${origin}${path}`);
      for (const problem of await accessibilityProblems(page)) problems.push(`${path}: ${problem}`);
    }
    expect(problems).toEqual([]);
    await context.close();
  });
});
