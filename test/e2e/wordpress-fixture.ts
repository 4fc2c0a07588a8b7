import type {
  InboxResponse,
  PostCommentResponse,
  PostPage,
  ThreadItem,
  ThreadPage,
  TokensResponse,
} from '@parley/contracts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type JsonAnswer,
  type JsonCaller,
  type MailCatcher,
  eventually,
  sleep,
} from '@parley/testing';
import { sharedFixture } from '../support/shared-fixtures';

/** The Theme Unit Test export, as WordPress.com gave it. */
export const WORDPRESS_FIXTURE = sharedFixture('wordpress', 'themeunittestdata.wordpress.xml');
/**
 * The export with only the items of the given WordPress post ids (with their comments), its
 * header (site, authors, categories, tags) kept whole: a quick import for a test that needs
 * only those posts. Answers the path of the file it wrote.
 */
export function fixtureWithPosts(postIds: readonly string[]): string {
  const text = readFileSync(WORDPRESS_FIXTURE, 'utf8');
  const items = [...text.matchAll(/<item>[\s\S]*?<\/item>/g)];
  const first = items[0];
  const last = items.at(-1);
  if (first?.index === undefined || last?.index === undefined)
    throw new Error('No items in the export');
  const kept = items.filter((item) =>
    postIds.some((id) => item[0].includes(`<wp:post_id>${id}</wp:post_id>`)),
  );
  if (kept.length !== postIds.length)
    throw new Error(`Not every post of ${postIds.join(', ')} is in the export`);
  const file = join(mkdtempSync(join(tmpdir(), 'parley-wxr-')), 'export.xml');
  writeFileSync(
    file,
    text.slice(0, first.index) +
      kept.map((item) => item[0]).join('\n') +
      text.slice(last.index + last[0].length),
  );
  return file;
}

/** The author of "Keyboard navigation" and other posts of the export. */
export const WRITER_EMAIL = 'themereviewteam@gmail.com';
const PASSWORD = 'correct horse battery staple';

/** What the import's tests call the gateway with and get back (see `jsonCaller`). */
export type Answer<T> = JsonAnswer<T>;
export type Call = JsonCaller;

/**
 * The old blog's writer as an admin here with a verified address, following new posts: the
 * import gives them their posts, and must not tell them of any. Answers their access token.
 */
export async function writerFollowingTheBlog(call: Call, smtp: MailCatcher): Promise<string> {
  const admin = await call<TokensResponse>('POST', '/api/v1/auth/register', {
    email: WRITER_EMAIL,
    password: PASSWORD,
    displayName: 'Reviewer Here',
  });
  expect(admin.status).toBe(201);
  const confirm = await eventually(() =>
    smtp.to(WRITER_EMAIL).find((m) => /confirm your email/i.test(m.headers.subject ?? '')),
  );
  const verifyPath = /\/api\/v1\/auth\/verify-email\?token=[^\s"<>]+/.exec(confirm.text)?.[0];
  expect((await call('GET', verifyPath!)).status).toBe(303);
  const token = (
    await call<TokensResponse>('POST', '/api/v1/auth/login', {
      email: WRITER_EMAIL,
      password: PASSWORD,
    })
  ).body.accessToken;
  expect((await call('POST', '/api/v1/subscriptions', { kind: 'blog' }, token)).status).toBe(201);
  return token;
}

/** The import's summary of the fixture, the first time (the command's lines). */
export function expectFirstImport(output: string): void {
  expect(output).toContain('Theme Unit Test Data (https://wpthemetestdata.wordpress.com)');
  expect(output).toMatch(/posts: +51 new, 0 already here \(48 published, 1 scheduled, 2 drafts\)/);
  expect(output).toMatch(
    /comments: +27 new, 0 already here \(26 approved, 1 pending, 0 spam, 0 trash; 23 comments, 2 pingbacks, 2 trackbacks\)/,
  );
  expect(output).toContain('21 page items (Parley has posts only)');
  expect(output).toContain('5 comments on page items');
}

/** The summary of the fixture imported again: nothing new. */
export function expectNothingAdded(output: string): void {
  expect(output).toMatch(/posts: +0 new, 51 already here/);
  expect(output).toMatch(/comments: +0 new, 27 already here/);
}

/**
 * The fixture as readers find it once imported: every published post, with its writer's
 * account where one holds the address, the comment counts, the ten-level thread of
 * "Template: Comments" nested as in WordPress (shown at most five deep), pingbacks and
 * trackbacks, and each imported comment's old anchor on the page.
 */
export async function expectFixtureOnPages(
  call: Call,
  options: { waitMs?: number } = {},
): Promise<void> {
  const published = await eventually(
    async () => {
      const items: PostPage['items'] = [];
      for (let cursor: string | null = ''; cursor !== null;) {
        const page: Answer<PostPage> = await call<PostPage>(
          'GET',
          `/api/v1/posts?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
        );
        items.push(...page.body.items);
        cursor = page.body.nextCursor;
      }
      // The comment counts come through another topic: they may follow the posts.
      const count = (slug: string) => items.find((p) => p.slug === slug)?.commentCount;
      return items.length >= 48 &&
        count('template-comments') === 19 &&
        count('template-pingbacks-an-trackbacks') === 5
        ? items
        : undefined;
    },
    { timeoutMs: options.waitMs ?? 10_000 },
  );
  expect(published).toHaveLength(48);
  const bySlug = new Map(published.map((p) => [p.slug, p]));
  expect(bySlug.get('keyboard-navigation')?.author.displayName).toBe('Reviewer Here');
  expect(bySlug.get('template-pingbacks-an-trackbacks')?.commentCount).toBe(5);
  const post = bySlug.get('template-comments')!;
  expect(post).toMatchObject({
    title: 'Template: Comments',
    publishedAt: '2012-01-03T17:11:37.000Z',
    commentCount: 19,
  });

  // The posts' counts and the threads are two read models: the threads may catch up later.
  const threadOf = (postId: string, comments: number) =>
    eventually(
      async () => {
        const answer = await call<ThreadPage>('GET', `/api/v1/posts/${postId}/comments`);
        return answer.body.items?.length === comments ? answer : undefined;
      },
      { timeoutMs: options.waitMs ?? 10_000 },
    );
  const thread = await threadOf(post.id, 19);
  expect(thread.status).toBe(200);
  expect(thread.body.totals.comments).toBe(19);
  expect(thread.body.items).toHaveLength(19);
  expect(thread.text).not.toContain('@example.org');
  // Ten levels in WordPress: each reply keeps its parent, shown no deeper than the blog's five.
  const chain = Array.from({ length: 10 }, (_, i) =>
    thread.body.items.find((c) =>
      c.body.startsWith(`Comment Depth ${String(i + 1).padStart(2, '0')}`),
    ),
  ) as ThreadItem[];
  expect(chain.every(Boolean)).toBe(true);
  expect(chain.map((c) => c.depth)).toEqual([1, 2, 3, 4, 5, 5, 5, 5, 5, 5]);
  chain.forEach((c, i) => expect(c.parentId).toBe(i === 0 ? null : chain[i - 1]!.id));
  expect(chain[9]).toMatchObject({
    postedAt: '2013-03-14T15:14:47.000Z',
    author: { kind: 'guest', name: 'themedemos' },
    imported: { system: 'wordpress', site: 'https://wpthemetestdata.wordpress.com', id: '915' },
  });
  const order = thread.body.items.map((c) => c.id);
  expect(chain.map((c) => order.indexOf(c.id))).toEqual(
    [...chain.map((c) => order.indexOf(c.id))].sort((a, b) => a - b),
  );
  const page = await call('GET', '/posts/template-comments');
  expect(page.text).toMatch(/<article id="comment-915" aria-labelledby="comment-[^"]+-by">/);
  expect(page.text).toContain('id="comment-881"');
  expect(page.text).toContain('<span data-comment-count>19</span>');

  const pings = await threadOf(bySlug.get('template-pingbacks-an-trackbacks')!.id, 5);
  expect(pings.body.items.map((c) => c.kind).sort()).toEqual([
    'comment',
    'pingback',
    'pingback',
    'trackback',
    'trackback',
  ]);
}

/**
 * Nobody was told of the import: a guest's comment written now reaches the admin's inbox (the
 * policy runs), and it is all there is; no mail went out since `mailsBefore` but about it.
 */
export async function expectNobodyTold(
  call: Call,
  smtp: MailCatcher,
  token: string,
  mailsBefore: number,
  options: { waitMs?: number } = {},
): Promise<void> {
  const post = (await call<{ id: string }>('GET', '/api/v1/posts/template-comments')).body;
  const written = await call<PostCommentResponse>('POST', `/api/v1/posts/${post.id}/comments`, {
    body: 'A comment written after the import.',
    author: { name: 'New Guest', email: 'new-guest@example.net' },
  });
  expect(written.status).toBe(201);
  const inbox = async () =>
    (await call<InboxResponse>('GET', '/api/v1/notifications', undefined, token)).body.items;
  await eventually(
    async () =>
      (await inbox()).some(
        (i) => i.subject.kind === 'comment' && i.subject.commentId === written.body.id,
      )
        ? true
        : undefined,
    { timeoutMs: options.waitMs ?? 10_000 },
  );
  await sleep(1500);
  // Nothing of the import: no new post, no held comment to moderate, no mail.
  expect(
    (await inbox()).map((i) =>
      i.subject.kind === 'comment' ? i.subject.commentId : i.subject.kind,
    ),
  ).toEqual([written.body.id]);
  expect(smtp.mails.slice(mailsBefore).filter((m) => !m.text.includes(written.body.id))).toEqual(
    [],
  );
}
