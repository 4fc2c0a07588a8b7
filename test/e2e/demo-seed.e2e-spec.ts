import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bodyOf, parleyClient } from '@parley/client';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD, seedDemo } from '../../apps/standalone/src/demo-seed';
import {
  type EmbeddedParley,
  startEmbeddedParley,
} from '../../apps/standalone/src/embedded-platform';
import { describeBrowser, launchChromium } from '../reader/browser';

const SHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');

describe('the demo blog (npm start -- --seed-demo)', () => {
  let parley: EmbeddedParley;
  let postUrl: string;

  beforeAll(async () => {
    parley = await startEmbeddedParley({ host: '127.0.0.1', port: 0, logLevel: 'silent' });
  });

  afterAll(async () => {
    await parley?.close();
  });

  it('writes the discussion of the page it imitates: 12 comments in three threads four deep, 3 likes, one comment awaiting moderation', async () => {
    const summary = await seedDemo(parley.url);
    expect(summary.seeded).toBe(true);
    postUrl = summary.postUrl ?? '';
    const slug = postUrl.split('/posts/')[1] ?? '';
    const api = parleyClient({ baseUrl: parley.url });
    const post = bodyOf(await api.posts.get({ params: { idOrSlug: slug } }));
    expect(post.series).toBe('Movie Quote Monday');
    expect(post.likeCount).toBe(3);
    const thread = bodyOf(await api.comments.thread({ params: { id: post.id } }));
    expect(thread.totals.comments).toBe(12);
    expect(thread.items).toHaveLength(12);
    expect(thread.items.every((c) => c.status === 'approved')).toBe(true);
    expect(thread.items.filter((c) => c.parentId === null)).toHaveLength(3);
    expect(Math.max(...thread.items.map((c) => c.depth))).toBe(4);
    expect(thread.items.filter((c) => c.likeCount > 0)).toHaveLength(2);

    const { accessToken } = bodyOf(
      await api.identity.login({
        body: { email: summary.accounts[0] ?? '', password: DEMO_PASSWORD },
      }),
    );
    const boots = api.as(accessToken);
    const queue = bodyOf(await boots.comments.queue());
    expect(queue.items.map((c) => c.author?.name)).toEqual(['Priya']);
    // Flood control is back as it was.
    const settings = bodyOf(await boots.comments.settings());
    expect(settings.floodSeconds).toBe(15);
  });

  describeBrowser('its post page in Chromium', () => {
    let browser: Browser;

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
    });

    it('shows "12 Comments" in three threads four deep, "3 bloggers like this" and the form', async () => {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        colorScheme: 'light',
      });
      const page = await context.newPage();
      await page.goto(postUrl);
      const title = await page.locator('#comments-title').textContent();
      expect(title?.replace(/\s+/g, ' ').trim()).toBe('12 Comments');
      expect(await page.locator('[data-likes-line]').textContent()).toMatch(
        /^3 bloggers like this/,
      );
      expect(await page.locator('li.comment').count()).toBe(12);
      expect(await page.locator('ol.comment-list > li.comment').count()).toBe(3);
      // Nested in the page as it is in the thread: the deepest reply inside three comments.
      expect(await page.locator('li.comment li.comment li.comment li.comment').count()).toBe(1);
      expect(await page.locator('li.comment.depth-4').count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Post Comment' }).count()).toBe(1);
      // One screen from the likes line down: the likes, the count and the threads.
      const likes = await page.locator('[data-likes-line]').boundingBox();
      await page.screenshot({
        path: join(SHOTS, 'demo-post-page.png'),
        fullPage: true,
        clip: { x: 0, y: Math.max(0, (likes?.y ?? 0) - 24), width: 1280, height: 900 },
      });
      await context.close();
    });
  });

  it('seeds nothing when the blog has posts already', async () => {
    expect(await seedDemo(parley.url)).toEqual({ seeded: false, accounts: [] });
  });
});
