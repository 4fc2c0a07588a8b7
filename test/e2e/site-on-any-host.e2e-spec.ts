import { request as httpRequest } from 'node:http';
import { parseFeed } from '@rowanmanning/feed-parser';
import type { PostCommentResponse, TokensResponse } from '@parley/contracts';
import { requestJson } from '@parley/testing';
import { parse as parseYaml } from 'yaml';
import {
  type EmbeddedParley,
  startEmbeddedParley,
} from '../../apps/standalone/src/embedded-platform';

const PASSWORD = 'correct horse battery staple';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request as a browser or a proxy sends it: fetch cannot set Host. */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const BROWSER = { host: 'blog.test', accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const BEHIND_TLS_PROXY = {
  ...BROWSER,
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'blog.test',
};

/** The site opened by a host name, over plain HTTP and behind a TLS-terminating proxy; its feeds and documents. */
describe('the site on any host, its feeds and its documents', () => {
  let parley: EmbeddedParley;
  let postSlug: string;
  let postId: string;

  const api = <T>(method: string, path: string, body?: unknown, token?: string) =>
    requestJson<T>(parley.url, method, path, body, token);

  beforeAll(async () => {
    parley = await startEmbeddedParley({
      host: '127.0.0.1',
      port: 0,
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      // The test's own connections stand in for the proxy in front.
      trustProxy: ['loopback'],
    });
    const admin = await api<TokensResponse>('POST', '/api/v1/auth/register', {
      email: 'boots@blog.example',
      password: PASSWORD,
      displayName: 'Boots',
    });
    const token = admin.body.accessToken;
    const post = await api<{ id: string; slug: string }>(
      'POST',
      '/api/v1/posts',
      { title: 'Her & the <machines>', body: 'A film about *talking*.' },
      token,
    );
    postId = post.body.id;
    postSlug = post.body.slug;
    expect((await api('POST', `/api/v1/posts/${postId}/publish`, {}, token)).status).toBe(200);
    await api('POST', '/api/v1/posts', { title: 'A secret draft', body: 'Not yet.' }, token);
    const first = await api<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: 'Tom & Jerry say <b>hi</b> to "everyone"' },
      token,
    );
    expect(first.body.status).toBe('approved');
    await api<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: 'A reply, one deeper.', parentId: first.body.id },
      token,
    );
    await api('POST', `/api/v1/posts/${postId}/comments`, {
      body: 'A guest speaks.',
      author: { name: 'Gus', email: 'gus.private@blog.example' },
    });
  }, 60_000);

  afterAll(async () => {
    await parley?.close();
  });

  describe('over plain HTTP by a host name', () => {
    it('does not send the browser to https: no upgrade-insecure-requests, no HSTS', async () => {
      const page = await get(parley.url, '/', BROWSER);
      expect(page.status).toBe(200);
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(page.headers['strict-transport-security']).toBeUndefined();
      expect(page.headers['x-content-type-options']).toBe('nosniff');
    });

    it('links its stylesheet, script and posts on the address it was opened on', async () => {
      const page = await get(parley.url, '/', BROWSER);
      const urls = [...page.body.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1] ?? '');
      expect(urls).toEqual(
        expect.arrayContaining(['/assets/parley.css', '/assets/parley.js', `/posts/${postSlug}`]),
      );
      expect(urls.filter((url) => /^https:/.test(url))).toEqual([]);
    });
  });

  describe('over HTTPS behind a trusted proxy (X-Forwarded-Proto)', () => {
    it('keeps the browser on https: upgrade-insecure-requests and HSTS', async () => {
      const page = await get(parley.url, '/', BEHIND_TLS_PROXY);
      expect(page.status).toBe(200);
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain('upgrade-insecure-requests');
      expect(csp).toContain("default-src 'self'");
      expect(page.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    });

    it('marks the session cookies Secure', async () => {
      const page = await get(parley.url, '/login', BEHIND_TLS_PROXY);
      const cookies = [page.headers['set-cookie'] ?? []].flat();
      expect(cookies.some((c) => c.startsWith('parley_csrf=') && /;\s*Secure/i.test(c))).toBe(true);
      const plain = await get(parley.url, '/login', BROWSER);
      expect([plain.headers['set-cookie'] ?? []].flat().some((c) => /;\s*Secure/i.test(c))).toBe(
        false,
      );
    });
  });

  describe('an address nothing answers', () => {
    it('is a page in the site frame for a browser', async () => {
      const page = await get(parley.url, '/no/such/page', BROWSER);
      expect(page.status).toBe(404);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('<link rel="stylesheet" href="/assets/parley.css">');
      expect(page.body).toContain('There is no page at this address.');
      expect(page.body).toContain('href="/"');
    });

    it('stays problem+json for an API client and under /api', async () => {
      const client = await get(parley.url, '/no/such/page', { accept: 'application/json' });
      expect(client.status).toBe(404);
      expect(client.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(client.body)).toMatchObject({ status: 404, code: 'not-found' });
      const api = await get(parley.url, '/api/v1/nothing-here', BROWSER);
      expect(api.status).toBe(404);
      expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });

  describe('feeds', () => {
    it('the blog posts feed: RSS 2.0 of published posts, linked from every page', async () => {
      const front = await get(parley.url, '/', BROWSER);
      expect(front.body).toContain(
        '<link rel="alternate" type="application/rss+xml" title="Parley" href="/feed">',
      );
      const answer = await get(parley.url, '/feed', { host: 'blog.test' });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^application\/rss\+xml/);
      const feed = parseFeed(answer.body);
      expect(feed.meta.type).toBe('rss');
      expect(feed.meta.version).toBe('2.0');
      expect(feed.title).toBe('Parley');
      expect(feed.url).toBe('http://blog.test/');
      expect(feed.items.map((item) => item.title)).toEqual(['Her & the <machines>']);
      expect(feed.items[0]?.url).toBe(`http://blog.test/posts/${postSlug}`);
      expect(feed.items[0]?.authors.map((a) => a.name)).toEqual(['Boots']);
      expect(answer.body).not.toContain('A secret draft');

      const etag = String(answer.headers.etag);
      expect(answer.headers['last-modified']).toBeDefined();
      const again = await get(parley.url, '/feed', { host: 'blog.test', 'if-none-match': etag });
      expect(again.status).toBe(304);

      const behindProxy = await get(parley.url, '/feed', BEHIND_TLS_PROXY);
      expect(parseFeed(behindProxy.body).items[0]?.url).toBe(`https://blog.test/posts/${postSlug}`);
    });

    it("a post's comments feed: approved comments only, escaped, without emails", async () => {
      const postPage = await get(parley.url, `/posts/${postSlug}`, BROWSER);
      expect(postPage.body).toContain(`href="/posts/${postSlug}/feed"`);
      const answer = await get(parley.url, `/posts/${postSlug}/feed`, { host: 'blog.test' });
      expect(answer.status).toBe(200);
      const feed = parseFeed(answer.body);
      expect(feed.title).toBe('Comments on: Her & the <machines>');
      expect(feed.items).toHaveLength(2);
      const first = feed.items.find((item) => item.description?.includes('Tom'));
      expect(first?.description).toContain('Tom & Jerry say');
      // The comment's HTML, escaped once more for XML: the <b> its writer typed stays text.
      expect(answer.body).toContain('&lt;p&gt;Tom &amp;amp; Jerry say &amp;lt;b&amp;gt;hi');
      expect(first?.url).toMatch(new RegExp(`^http://blog\\.test/posts/${postSlug}#comment-`));
      expect(first?.authors.map((a) => a.name)).toEqual(['Boots']);
      expect(feed.items.map((item) => item.description ?? '').join('\n')).toContain('one deeper');
      expect(answer.body).not.toContain('gus.private@blog.example');
      expect(answer.body).not.toContain('A guest speaks');
      expect((await get(parley.url, '/posts/no-such-post/feed', {})).status).toBe(404);
    });
  });

  it('serves the AsyncAPI document next to the OpenAPI one, linked from the API docs', async () => {
    const yaml = await get(parley.url, '/api/asyncapi.yaml');
    expect(yaml.status).toBe(200);
    expect(yaml.headers['content-type']).toMatch(/^application\/yaml/);
    const document = parseYaml(yaml.body) as { asyncapi: string; channels: object };
    expect(document.asyncapi).toBe('3.0.0');
    expect(Object.keys(document.channels)).toEqual(expect.arrayContaining(['comments', 'posts']));
    const json = await get(parley.url, '/api/asyncapi.json');
    expect(JSON.parse(json.body)).toEqual(document);
    const openApi = JSON.parse((await get(parley.url, '/api/openapi.json')).body) as {
      info: { description: string };
    };
    expect(openApi.info.description).toContain('/api/asyncapi.yaml');
  });
});
