import { createReadStream } from 'node:fs';
import type { LegacyLinkTarget, PostView, ThreadPage, TokensResponse } from '@parley/contracts';
import {
  type HarnessMode,
  MailCatcher,
  describeInfra,
  eventually,
  postForJson,
} from '@parley/testing';
import type { Browser } from 'playwright-core';
import { importWordpress } from '@parley/wordpress';
import { embeddedImportTarget } from '../../apps/standalone/src/import-target';
import { describeBrowser, launchChromium } from '../reader/browser';
import { PASSWORD, type ParleyStack, startParleyStack } from './stack';
import { fixtureWithPosts } from './wordpress-fixture';

/** "Template: Comments" on the old blog: its WordPress id, and the deepest reply's. */
const POST_ID = '1148';
const DEEPEST_COMMENT = '915';
/** The export with that post alone: old addresses are a matter of one post at a time. */
const FIXTURE = fixtureWithPosts([POST_ID]);

/**
 * Links to the old WordPress blog keep working after its export is imported: the gateway
 * asks the posts service where an old address leads and redirects there, on both stacks.
 */
function permalinks(mode: HarnessMode): void {
  describe(`old WordPress addresses after an import (${mode})`, () => {
    const timeouts =
      mode === 'distributed' ? { test: 120_000, wait: 60_000 } : { test: 30_000, wait: 10_000 };
    jest.setTimeout(timeouts.test);
    let parley: ParleyStack;
    const smtp = new MailCatcher();

    const get = (path: string) => fetch(`${parley.url}${path}`, { redirect: 'manual' });

    beforeAll(async () => {
      await smtp.start();
      parley = await startParleyStack(mode, { smtpUrl: smtp.url });
      const summary = await importWordpress({
        open: () => createReadStream(FIXTURE),
        target: embeddedImportTarget(parley.running),
        dryRun: false,
      });
      expect(summary.posts.added).toBe(1);
    }, 400_000);

    afterAll(async () => {
      await parley?.close();
      await smtp.stop();
    });

    it("answers the permalink, with or without its slash, and /?p= with a 301 to the post page, which answers its comments' old anchors", async () => {
      const location = await eventually(
        async () => {
          const moved = await get('/2012/01/03/template-comments/');
          return moved.status === 301 ? moved.headers.get('location') : undefined;
        },
        { timeoutMs: timeouts.wait },
      );
      expect(location).toBe('/posts/template-comments');
      for (const old of [
        '/2012/01/03/template-comments',
        '/2012/01/03/template-comments/comment-page-2/',
        `/?p=${POST_ID}`,
      ]) {
        const moved = await get(old);
        expect({ old, status: moved.status, location: moved.headers.get('location') }).toEqual({
          old,
          status: 301,
          location: '/posts/template-comments',
        });
      }
      const found = await get(`/api/v1/legacy-links?p=${POST_ID}`);
      const post = (await (await get('/api/v1/posts/template-comments')).json()) as PostView;
      expect((await found.json()) as LegacyLinkTarget).toEqual({
        id: post.id,
        slug: 'template-comments',
      });
      // Its comments keep their WordPress ids, which the page answers as their old anchors.
      // An import does not wait for the thread after each comment: it catches up just after.
      const deepest = await eventually(
        async () => {
          const thread = (await (
            await get(`/api/v1/posts/${post.id}/comments`)
          ).json()) as ThreadPage;
          return thread.items.find((c) => c.imported?.id === DEEPEST_COMMENT);
        },
        { timeoutMs: timeouts.wait },
      );
      expect(deepest.body).toMatch(/^Comment Depth 10/);
      const page = await (await get('/posts/template-comments')).text();
      expect(page).toContain(`<article id="comment-${DEEPEST_COMMENT}"`);
      expect((await get('/2012/01/03/not-a-post-there/')).status).toBe(404);
      expect((await get('/api/v1/legacy-links?path=/2012/01/03/not-a-post-there/')).status).toBe(
        404,
      );
    });

    if (mode === 'embedded')
      describeBrowser('in Chromium', () => {
        let browser: Browser;

        beforeAll(async () => {
          browser = await launchChromium();
        });

        afterAll(async () => {
          await browser?.close();
        });

        it("opens an old permalink with a comment's anchor and lands on that comment in the thread", async () => {
          const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
          try {
            const page = await context.newPage();
            await page.goto(
              `${parley.url}/2012/01/03/template-comments/#comment-${DEEPEST_COMMENT}`,
            );
            expect(page.url()).toBe(
              `${parley.url}/posts/template-comments#comment-${DEEPEST_COMMENT}`,
            );
            const target = page.locator(':target');
            await target.waitFor();
            expect(await target.getAttribute('id')).toBe(`comment-${DEEPEST_COMMENT}`);
            expect(await target.textContent()).toContain('Comment Depth 10');
            expect(await page.locator('ol.comment-list :target').count()).toBe(1);
            // The browser scrolled to it: it is in view, not somewhere below the fold.
            const top = (await target.boundingBox())?.y;
            expect(top).toBeGreaterThan(-2);
            expect(top).toBeLessThan(800);
            expect(await page.evaluate('scrollY')).toBeGreaterThan(800);
          } finally {
            await context.close();
          }
        });

        it("finds an old comment's anchor on a later page of the thread", async () => {
          const { accessToken } = await postForJson<TokensResponse>(
            parley.url,
            '/api/v1/auth/register',
            { email: 'boots@blog.example', password: PASSWORD, displayName: 'Boots' },
          );
          const changed = await fetch(`${parley.url}/api/v1/settings/comments`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
            body: JSON.stringify({ commentsPerPage: 2 }),
          });
          expect(changed.status).toBe(200);
          const post = (await (await get('/api/v1/posts/template-comments')).json()) as PostView;
          const second = await eventually(async () => {
            const thread = (await (
              await get(`/api/v1/posts/${post.id}/comments?page=2`)
            ).json()) as ThreadPage;
            return thread.totals.pages > 2 ? thread : undefined;
          });
          const wanted = second.items.at(-1)!.imported!.id;

          const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
          try {
            const page = await context.newPage();
            await page.goto(`${parley.url}/2012/01/03/template-comments/#comment-${wanted}`);
            await page.waitForURL(
              `${parley.url}/posts/template-comments?cpage=2#comment-${wanted}`,
            );
            const target = page.locator(':target');
            await target.waitFor();
            expect(await target.getAttribute('id')).toBe(`comment-${wanted}`);
            const top = (await target.boundingBox())?.y;
            expect(top).toBeGreaterThan(-2);
            expect(top).toBeLessThan(800);
          } finally {
            await context.close();
          }
        });
      });
  });
}

permalinks('embedded');
describeInfra('old WordPress addresses on Kafka and the Mongo-compatible server', () =>
  permalinks('distributed'),
);
