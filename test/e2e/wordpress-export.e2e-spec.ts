import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  ModerationQueuePage,
  PostCommentResponse,
  PostPage,
  PostSummary,
  ThreadItem,
  ThreadPage,
  TokensResponse,
} from '@parley/contracts';
import { runEntryPoint, jsonCaller } from '@parley/testing';
import { type StandaloneProcess, startStandalone, stopStandalone } from './standalone-process';
import { type Answer, type Call, WORDPRESS_FIXTURE } from './wordpress-fixture';

const FIXTURE = WORDPRESS_FIXTURE;
const GUEST_EMAIL = 'round.trip.guest@example.com';

/** The embedded entry point's `import` or `export` command, as `npm run import/export` runs it. */
const runCommand = (dataDir: string, args: string[]) =>
  runEntryPoint('standalone', args, {
    env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn', PUBLIC_BASE_URL: 'http://blog.example' },
  });

/** WordPress's dates are to the second: what a comment written here keeps of its time. */
const toSecond = (iso: string) => `${iso.slice(0, 19)}Z`;

/** A thread's comments with Parley's own ids replaced by their place, so two blogs compare. */
function normalizeThread(items: readonly ThreadItem[]) {
  const place = new Map<string, number>();
  for (const item of items) if (!place.has(item.id)) place.set(item.id, place.size + 1);
  return items.map((item) => ({
    place: place.get(item.id),
    parent: item.parentId === null ? null : (place.get(item.parentId) ?? 'elsewhere'),
    depth: item.depth,
    number: item.number,
    author: item.author && { kind: item.author.kind, name: item.author.name, url: item.author.url },
    body: item.body,
    html: item.html,
    status: item.status,
    kind: item.kind,
    postedAt: toSecond(item.postedAt),
    deleted: item.deleted,
    replyCount: item.replyCount,
    message: item.message,
  }));
}

/** What a reader sees of a page: its text, without markup, scripts or styles. */
function visibleText(html: string): string {
  return html
    .replace(/<(script|style|template)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

interface BlogSnapshot {
  posts: Map<string, Omit<PostSummary, 'id' | 'revision' | 'likers' | 'updatedAt'>>;
  threads: Map<string, ReturnType<typeof normalizeThread>>;
  trash: Map<string, { body: string; author: string | undefined; postedAt: string }[]>;
  /** WordPress ids the comments carry, by post and place in the thread. */
  wordpressIds: Map<string, (string | null)[]>;
  pages: Map<string, string>;
}

async function snapshot(call: Call, token: string): Promise<BlogSnapshot> {
  const shot: BlogSnapshot = {
    posts: new Map(),
    threads: new Map(),
    trash: new Map(),
    wordpressIds: new Map(),
    pages: new Map(),
  };
  for (const status of ['published', 'scheduled', 'draft']) {
    let cursor: string | null = null;
    do {
      const page: Answer<PostPage> = await call<PostPage>(
        'GET',
        `/api/v1/posts?status=${status}&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        token,
      );
      expect(page.status).toBe(200);
      for (const post of page.body.items) {
        const { id, revision: _r, likers: _l, updatedAt: _u, author, ...rest } = post;
        shot.posts.set(post.slug, { ...rest, author: { id: '', displayName: author.displayName } });
        const items: ThreadItem[] = [];
        for (let n = 1, pages = 1; n <= pages; n++) {
          const thread = await call<ThreadPage>(
            'GET',
            `/api/v1/posts/${id}/comments?view=moderation&page=${n}`,
            undefined,
            token,
          );
          expect(thread.status).toBe(200);
          pages = thread.body.totals.pages;
          items.push(...thread.body.items);
        }
        shot.threads.set(post.slug, normalizeThread(items));
        shot.wordpressIds.set(
          post.slug,
          items.map((item) => item.imported?.id ?? null),
        );
        const trash = await call<ModerationQueuePage>(
          'GET',
          `/api/v1/moderation/queue?status=trash&postId=${id}&limit=100`,
          undefined,
          token,
        );
        expect(trash.status).toBe(200);
        shot.trash.set(
          post.slug,
          trash.body.items.map((c) => ({
            body: c.body,
            author: c.author?.name,
            postedAt: toSecond(c.postedAt),
          })),
        );
        if (status === 'published') {
          const html = await call<string>('GET', `/posts/${encodeURIComponent(post.slug)}`);
          expect(html.status).toBe(200);
          shot.pages.set(post.slug, visibleText(html.text));
        }
      }
      cursor = page.body.nextCursor;
    } while (cursor);
  }
  return shot;
}

async function registerAdmin(call: Call): Promise<string> {
  const admin = await call<TokensResponse>('POST', '/api/v1/auth/register', {
    email: 'export-admin@example.com',
    password: 'correct horse battery staple',
    displayName: 'Export Admin',
  });
  expect(admin.status).toBe(201);
  return admin.body.accessToken;
}

describe('exporting the blog as WXR and importing that into an empty Parley (npm run export)', () => {
  const first = mkdtempSync(join(tmpdir(), 'parley-export-a-'));
  const second = mkdtempSync(join(tmpdir(), 'parley-export-b-'));
  const exported = join(mkdtempSync(join(tmpdir(), 'parley-export-file-')), 'blog.xml');
  let parley: StandaloneProcess | undefined;

  afterAll(async () => {
    if (parley) await stopStandalone(parley.child);
    for (const dir of [first, second, join(exported, '..')])
      rmSync(dir, { recursive: true, force: true });
  });

  it('gives back the same posts, threads (parents, statuses, kinds, dates, authors) and pages', async () => {
    const imported = await runCommand(first, ['import', 'wordpress', FIXTURE]);
    expect({ code: imported.code, output: imported.stderr }).toMatchObject({ code: 0 });

    // Comments of every status and kind, written here as well as imported.
    parley = await startStandalone(first);
    const firstUrl = parley.url;
    let call = jsonCaller(() => firstUrl);
    let token = await registerAdmin(call);
    expect(
      (await call('PUT', '/api/v1/settings/comments', { floodSeconds: 0 }, token)).status,
    ).toBe(200);
    const posts = await call<PostPage>('GET', '/api/v1/posts?limit=50', undefined, token);
    const open = posts.body.items.find((p) => p.commentsOpen && p.commentCount > 0);
    expect(open).toBeDefined();
    const guest = { name: 'Round Trip', email: GUEST_EMAIL, url: 'https://guest.example/' };
    const top = await call<PostCommentResponse>('POST', `/api/v1/posts/${open!.id}/comments`, {
      body: 'Written in Parley, answered below.',
      author: guest,
    });
    expect(top.status).toBe(201);
    const approve = (id: string) =>
      call('POST', `/api/v1/comments/${id}/moderation`, { status: 'approved' }, token);
    expect((await approve(top.body.id)).status).toBe(200);
    const reply = await call<PostCommentResponse>('POST', `/api/v1/posts/${open!.id}/comments`, {
      body: 'A reply written in Parley too.',
      parentId: top.body.id,
      author: { ...guest, name: 'Second Guest', email: 'second.guest@example.com' },
    });
    expect(reply.status).toBe(201);
    // WXR keeps a comment's time to the second: comments of one second may come back in
    // another order, so each top-level one here is written in a second of its own.
    const nextSecond = () =>
      new Promise((resolve) => setTimeout(resolve, 1_050 - (Date.now() % 1_000)));
    await nextSecond();
    const spam = await call<PostCommentResponse>('POST', `/api/v1/posts/${open!.id}/comments`, {
      body: 'Cheap watches, this is spam.',
      author: { name: 'Spammer', email: 'spam@example.com' },
    });
    await nextSecond();
    const trash = await call<PostCommentResponse>('POST', `/api/v1/posts/${open!.id}/comments`, {
      body: 'Soon in the trash.',
      author: { name: 'Trashed', email: 'trashed@example.com' },
    });
    for (const [id, status] of [
      [top.body.id, 'approved'],
      [reply.body.id, 'approved'],
      [spam.body.id, 'spam'],
      [trash.body.id, 'trash'],
    ] as const) {
      const moderated = await call('POST', `/api/v1/comments/${id}/moderation`, { status }, token);
      expect(moderated.status).toBe(200);
    }
    const before = await snapshot(call, token);
    expect(await stopStandalone(parley.child)).toBe(0);
    parley = undefined;

    const run = await runCommand(first, ['export', 'wordpress']);
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    expect(run.stderr).toMatch(/exported 51 posts, 31 comments/);
    const xml = run.stdout;
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml).toContain('xmlns:wp="http://wordpress.org/export/1.2/"');
    expect(xml).toContain(`<![CDATA[${GUEST_EMAIL}]]>`);
    // Imported comments keep their WordPress ids, and their parents.
    expect(xml).toMatch(
      /<wp:comment_id>(\d+)<\/wp:comment_id>[\s\S]*?<wp:comment_parent>0<\/wp:comment_parent>/,
    );
    writeFileSync(exported, xml);

    const again = await runCommand(second, ['import', 'wordpress', exported]);
    expect({ code: again.code, output: again.stderr }).toMatchObject({ code: 0 });
    expect(again.stderr).toMatch(/comments: +31 new/);

    parley = await startStandalone(second);
    const secondUrl = parley.url;
    call = jsonCaller(() => secondUrl);
    token = await registerAdmin(call);
    const after = await snapshot(call, token);

    expect([...after.posts.keys()].sort()).toEqual([...before.posts.keys()].sort());
    for (const [slug, post] of before.posts)
      expect(after.posts.get(slug) ?? { missing: slug }).toEqual(post);
    for (const [slug, thread] of before.threads)
      expect({ slug, thread: after.threads.get(slug) }).toEqual({ slug, thread });
    for (const [slug, trashed] of before.trash)
      expect({ slug, trashed: after.trash.get(slug) }).toEqual({ slug, trashed });
    // The ids WordPress gave stay the same through Parley and back.
    for (const [slug, ids] of before.wordpressIds) {
      const again = after.wordpressIds.get(slug) ?? [];
      ids.forEach((id, i) => {
        if (id !== null) expect({ slug, i, id: again[i] }).toEqual({ slug, i, id });
      });
    }
    for (const [slug, text] of before.pages)
      expect({ slug, text: after.pages.get(slug) }).toEqual({ slug, text });
    // What the comparison covers: every status, replies, and both kinds of ids.
    const all = [...after.threads.values()].flat();
    expect(new Set(all.map((c) => c.status))).toEqual(new Set(['approved', 'pending', 'spam']));
    expect(all.filter((c) => c.parent !== null).length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...all.map((c) => c.depth))).toBeGreaterThan(3);
    expect(after.trash.get(open!.slug)).toHaveLength(1);
  }, 300_000);
});
