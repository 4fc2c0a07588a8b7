import { createReadStream } from 'node:fs';
import type { PostView, ThreadPage, TokensResponse } from '@parley/contracts';
import {
  type HarnessMode,
  MailCatcher,
  describeInfra,
  eventually,
  postForJson,
} from '@parley/testing';
import WPAPI, { type WpPaging } from 'wpapi';
import type {
  WpComment,
  WpError,
  WpPost,
  WpTerm,
} from '../../apps/gateway/src/wordpress/wordpress.mapping';
import { importWordpress } from '@parley/wordpress';
import { embeddedImportTarget } from '../../apps/standalone/src/import-target';
import { sharedFixture } from '../support/shared-fixtures';
import { PASSWORD, PUBLIC_BASE_URL, type ParleyStack, startParleyStack } from './stack';

const FIXTURE = sharedFixture('wordpress', 'themeunittestdata.wordpress.xml');

/** "Template: Comments" on the old blog, and its approved comments' ids and parents, oldest first. */
const TEMPLATE_COMMENTS = 1148;
const TEMPLATE_THREAD: [number, number][] = [
  [881, 0],
  [899, 0],
  [900, 0],
  [901, 0],
  [903, 0],
  [904, 0],
  [905, 904],
  [906, 905],
  [907, 906],
  [910, 907],
  [911, 910],
  [912, 911],
  [913, 912],
  [914, 913],
  [915, 914],
  [917, 0],
  [918, 0],
  [919, 0],
  [920, 0],
];

type Paged<T> = T[] & { _paging?: WpPaging };

/** A guest's comment as a WordPress client sends it. */
const gusComment = (post: number, parent: number) => ({
  post,
  parent,
  content: 'A guest writes through a WordPress client',
  author_name: 'Gus',
  author_email: 'gus@example.com',
  author_url: 'https://gus.example',
});
const GUS_WRITES = 'A guest writes through a WordPress client';
const GUS_KEY = 'wordpress-client-gus-1';

/**
 * WordPress clients keep working: the wpapi client lists posts and a post's comments, nested
 * by `parent`, and posts a guest comment that Parley's own thread then shows, on both stacks.
 */
function wordpressDialect(mode: HarnessMode): void {
  describe(`the WordPress REST routes (${mode})`, () => {
    jest.setTimeout(mode === 'distributed' ? 120_000 : 30_000);
    let parley: ParleyStack;
    let wp: WPAPI;
    let admin: string;
    let post: PostView;
    let gus: ReturnType<typeof gusComment>;
    const smtp = new MailCatcher();

    const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}) => {
      const response = await fetch(`${parley.url}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${admin}`,
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as T };
    };

    const wpGet = async (path: string) => {
      const response = await fetch(`${parley.url}/wp-json/wp/v2/${path}`);
      return { response, body: await response.json() };
    };

    beforeAll(async () => {
      await smtp.start();
      parley = await startParleyStack(mode, { smtpUrl: smtp.url });
      admin = (
        await postForJson<TokensResponse>(parley.url, '/api/v1/auth/register', {
          email: 'boots@blog.example',
          password: PASSWORD,
          displayName: 'Boots',
        })
      ).accessToken;
      const drafted = await api<PostView>('/api/v1/posts', {
        method: 'POST',
        body: {
          title: 'Movie Quote Monday',
          body: 'The quote of the **week**.',
          categories: ['Movies'],
          tags: ['quotes'],
        },
      });
      post = (await api<PostView>(`/api/v1/posts/${drafted.body.id}/publish`, { method: 'POST' }))
        .body;
      const root = await api<{ id: string }>(`/api/v1/posts/${post.id}/comments`, {
        method: 'POST',
        body: { body: 'First!' },
      });
      await api(`/api/v1/posts/${post.id}/comments`, {
        method: 'POST',
        body: { body: 'Replying to myself', parentId: root.body.id },
      });
      // The client finds the index from the front page's Link header, and the routes in it.
      wp = await WPAPI.discover(parley.url);
    }, 60_000);

    afterAll(async () => {
      await parley?.close();
      await smtp.stop();
    });

    it('answers the index WordPress clients discover, linked from the pages', async () => {
      const index = (await (await fetch(`${parley.url}/wp-json/`)).json()) as {
        url: string;
        namespaces: string[];
        routes: Record<string, { namespace: string; methods: string[] }>;
      };
      expect(index.url).toBe(parley.url);
      expect(index.namespaces).toEqual(['wp/v2']);
      expect(index.routes['/wp/v2/comments']).toMatchObject({
        namespace: 'wp/v2',
        methods: ['GET', 'POST'],
      });
      expect(Object.keys(index.routes)).toEqual(
        expect.arrayContaining(['/wp/v2/posts', '/wp/v2/posts/(?P<id>[\\d]+)', '/wp/v2/tags']),
      );
      for (const page of ['/', `/posts/${post.slug}`]) {
        const head = await fetch(`${parley.url}${page}`, { method: 'HEAD' });
        expect(head.headers.get('link')).toContain(
          `<${parley.url}/wp-json/>; rel="https://api.w.org/"`,
        );
      }
      expect((await fetch(`${parley.url}/api/v1/posts`)).headers.get('link')).toBeNull();
    });

    it('lists posts and reads one by its integer id, with the paging headers', async () => {
      const posts = (await wp.posts().perPage(5).get()) as Paged<WpPost>;
      const listed = posts.find((p) => p.slug === post.slug)!;
      expect(listed).toMatchObject({
        type: 'post',
        status: 'publish',
        title: { rendered: 'Movie Quote Monday' },
        link: `${parley.url}/posts/${post.slug}`,
        comment_status: 'open',
      });
      expect(Number.isSafeInteger(listed.id)).toBe(true);
      expect(listed.content.rendered).toContain('<strong>week</strong>');
      expect(listed.date_gmt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      expect(posts._paging?.total).toBeGreaterThanOrEqual(1);
      // A page of the blog's own site may read the paging headers too.
      const fromSite = await fetch(`${parley.url}/wp-json/wp/v2/posts`, {
        headers: { origin: PUBLIC_BASE_URL },
      });
      expect(fromSite.headers.get('access-control-expose-headers')).toMatch(/x-wp-totalpages/);
      const one = (await wp.posts().id(listed.id).get()) as WpPost;
      expect(one.slug).toBe(post.slug);
      const bySlug = (await wp.posts().slug(post.slug).get()) as WpPost[];
      expect(bySlug.map((p) => p.id)).toEqual([listed.id]);
      const inCategory = (await wp
        .posts()
        .param('categories', listed.categories)
        .get()) as WpPost[];
      expect(inCategory.map((p) => p.id)).toContain(listed.id);
    });

    it('lists the categories and tags of published posts with their counts', async () => {
      const [listed] = (await wp.posts().slug(post.slug).get()) as WpPost[];
      const categories = await eventually(async () => {
        const all = (await wp.categories().get()) as Paged<WpTerm>;
        return all.some((c) => c.name === 'Movies') ? all : undefined;
      });
      expect(categories.find((c) => c.name === 'Movies')).toMatchObject({
        id: listed!.categories[0],
        slug: 'movies',
        taxonomy: 'category',
        count: 1,
      });
      const tags = (await wp.tags().slug('quotes').get()) as WpTerm[];
      expect(tags.map((t) => [t.id, t.name])).toEqual([[listed!.tags[0], 'quotes']]);
      const tag = (await wp.tags().id(listed!.tags[0]!).get()) as WpTerm;
      expect(tag.count).toBe(1);
      expect(((await wpGet('categories/1')).body as WpError).code).toBe('rest_term_invalid');
    });

    it("lists a post's comments nested by parent, and posts a guest comment that Parley's thread shows", async () => {
      const [listed] = (await wp.posts().slug(post.slug).get()) as WpPost[];
      const comments = (await wp
        .comments()
        .forPost(listed!.id)
        .order('asc')
        .get()) as Paged<WpComment>;
      expect(comments.map((c) => c.content.rendered)).toEqual([
        '<p>First!</p>',
        '<p>Replying to myself</p>',
      ]);
      const [first, reply] = comments as [WpComment, WpComment];
      expect(first).toMatchObject({ post: listed!.id, parent: 0, author_name: 'Boots' });
      expect(reply.parent).toBe(first.id);
      expect(comments._paging?.total).toBe(2);
      const topLevel = (await wp.comments().forPost(listed!.id).parent(0).get()) as WpComment[];
      expect(topLevel.map((c) => c.id)).toEqual([first.id]);

      gus = gusComment(listed!.id, first.id);
      const created = (await wp
        .comments()
        .setHeaders({ 'idempotency-key': GUS_KEY })
        .create(gus)) as WpComment;
      expect(created).toMatchObject({ post: listed!.id, parent: first.id, author_name: 'Gus' });
      expect(['approved', 'hold']).toContain(created.status);
      expect(JSON.stringify(created)).not.toContain('gus@example.com');
      // Parley's own thread shows it, in the status the moderation rules gave it.
      const thread = await eventually(async () => {
        const page = await api<ThreadPage>(`/api/v1/posts/${post.id}/comments?view=moderation`);
        return page.body.items.some((c) => c.body === GUS_WRITES) ? page.body : undefined;
      });
      const shown = thread.items.find((c) => c.body === GUS_WRITES)!;
      expect(shown.author?.name).toBe('Gus');
      expect(shown.status).toBe(created.status === 'hold' ? 'pending' : 'approved');
      expect(created.link).toBe(`${parley.url}/posts/${post.slug}#comment-${shown.id}`);
    });

    it("holds a comment through them to Parley's rules: accounts, idempotency keys and flood control", async () => {
      const [listed] = (await wp.posts().slug(post.slug).get()) as WpPost[];
      const send = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
        fetch(`${parley.url}/wp-json/wp/v2/comments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      const signedIn = await send(
        { post: listed!.id, content: 'Signed in through WordPress' },
        { authorization: `Bearer ${admin}` },
      );
      expect(signedIn.status).toBe(201);
      expect((await signedIn.json()) as WpComment).toMatchObject({
        author_name: 'Boots',
        status: 'approved',
      });
      // A retry with the same Idempotency-Key is answered as the first time, creating nothing.
      const replayed = await send(gus, { 'idempotency-key': GUS_KEY });
      expect(replayed.status).toBe(201);
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect(((await replayed.json()) as WpComment).author_name).toBe('Gus');
      const thread = await api<ThreadPage>(`/api/v1/posts/${post.id}/comments?view=moderation`);
      expect(thread.body.items.filter((c) => c.body === GUS_WRITES)).toHaveLength(1);
      // Two guest comments from one client at once: the second waits out the flood interval.
      const dee = { author_name: 'Dee', author_email: 'dee@example.com' };
      await send({ post: listed!.id, ...dee, content: 'Quickly' });
      const flood = await send({ post: listed!.id, ...dee, content: 'And again, at once' });
      expect(flood.status).toBe(429);
      expect(flood.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await flood.json()) as WpError).code).toBe('comment_flood');
    });

    it("answers WordPress's errors", async () => {
      const missing = await wpGet('posts/424242');
      expect(missing.response.status).toBe(404);
      expect(missing.body as WpError).toEqual({
        code: 'rest_post_invalid_id',
        message: 'Invalid post ID.',
        data: { status: 404 },
      });
      const tooMany = await wpGet('posts?per_page=500');
      expect(tooMany.response.status).toBe(400);
      expect(tooMany.body as WpError).toMatchObject({
        code: 'rest_invalid_param',
        data: { status: 400, params: { per_page: expect.any(String) } },
      });
      const pastLast = await wpGet('posts?page=999');
      expect(pastLast.response.status).toBe(400);
      expect((pastLast.body as WpError).code).toBe('rest_post_invalid_page_number');
      const badToken = await fetch(`${parley.url}/wp-json/wp/v2/comments`, {
        headers: { authorization: 'Bearer not-a-token' },
      });
      expect(badToken.status).toBe(401);
      expect(((await badToken.json()) as WpError).code).toBe('rest_not_logged_in');
      expect(((await wpGet('comments/424242')).body as WpError).code).toBe(
        'rest_comment_invalid_id',
      );
      const onNoPost = await fetch(`${parley.url}/wp-json/wp/v2/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          post: 424242,
          content: 'Hello',
          author_name: 'A',
          author_email: 'a@example.com',
        }),
      });
      expect(onNoPost.status).toBe(404);
      expect(((await onNoPost.json()) as WpError).code).toBe('rest_comment_invalid_post_id');
    });

    if (mode === 'embedded')
      it('keeps the WordPress ids and parents of an imported blog', async () => {
        const summary = await importWordpress({
          open: () => createReadStream(FIXTURE),
          target: embeddedImportTarget(parley.running),
          dryRun: false,
        });
        expect(summary.posts.added).toBe(51);
        const answer = await eventually(async () => {
          const page = await wpGet(`comments?post=${TEMPLATE_COMMENTS}&per_page=100&order=asc`);
          return (page.body as WpComment[]).length === TEMPLATE_THREAD.length ? page : undefined;
        });
        const comments = answer.body as WpComment[];
        expect(comments.map((c) => [c.id, c.parent])).toEqual(TEMPLATE_THREAD);
        expect(comments.every((c) => c.post === TEMPLATE_COMMENTS)).toBe(true);
        expect(answer.response.headers.get('x-wp-total')).toBe(String(TEMPLATE_THREAD.length));
        const deepest = (await wpGet('comments/915')).body as WpComment;
        expect(deepest).toMatchObject({ id: 915, parent: 914, post: TEMPLATE_COMMENTS });
        expect(((await wpGet(`posts/${TEMPLATE_COMMENTS}`)).body as WpPost).slug).toBe(
          'template-comments',
        );
      }, 120_000);
  });
}

wordpressDialect('embedded');
describeInfra('the WordPress REST routes on Kafka and the Mongo-compatible server', () =>
  wordpressDialect('distributed'),
);
