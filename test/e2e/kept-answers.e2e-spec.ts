import { type IncomingHttpHeaders, get } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { PostCommentResponse, ThreadPage, TokensResponse } from '@parley/contracts';
import { MailCatcher, requestJson } from '@parley/testing';
import { type ParleyStack, startParleyStack } from './stack';

/**
 * What every anonymous reader gets alike is kept by the comments service, the gateway and the
 * post page: each must show a write at once, through the public API and the page.
 */
describe('answers kept for anonymous readers', () => {
  let parley: ParleyStack;
  const smtp = new MailCatcher();
  let admin: TokensResponse;
  let post: { id: string; slug: string };

  const json = <T>(method: string, path: string, body?: unknown, token?: string) =>
    requestJson<T>(parley.url, method, path, body, token);
  const thread = (etag?: string) =>
    fetch(`${parley.url}/api/v1/posts/${post.id}/comments`, {
      headers: etag ? { 'if-none-match': etag } : {},
    });
  const comment = async (body: string) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const posted = await json<PostCommentResponse>(
        'POST',
        `/api/v1/posts/${post.id}/comments`,
        { body },
        admin.accessToken,
      );
      if (posted.status === 201) return posted.body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the comment was never taken');
  };

  beforeAll(async () => {
    await smtp.start();
    parley = await startParleyStack('embedded', { smtpUrl: smtp.url });
    admin = (
      await json<TokensResponse>('POST', '/api/v1/auth/register', {
        email: 'keeper@blog.example',
        password: 'correct horse battery staple',
        displayName: 'Keeper',
      })
    ).body;
    post = (
      await json<{ id: string; slug: string }>(
        'POST',
        '/api/v1/posts',
        { title: 'Kept', body: 'A post read *often*.' },
        admin.accessToken,
      )
    ).body;
    await json('POST', `/api/v1/posts/${post.id}/publish`, {}, admin.accessToken);
  });

  afterAll(async () => {
    await parley?.close();
    await smtp.stop();
  });

  it('tags the thread, answers 304 while it is unchanged and the new thread right after a comment', async () => {
    const first = await comment('The first comment');
    const fresh = await thread();
    const etag = fresh.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(((await fresh.json()) as ThreadPage).items.map((i) => i.id)).toEqual([first.id]);
    expect((await thread(etag)).status).toBe(304);

    const second = await comment('A second comment');
    const changed = await thread(etag);
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(((await changed.json()) as ThreadPage).items.map((i) => i.id)).toEqual([
      first.id,
      second.id,
    ]);
  });

  it('sends the thread compressed to a reader who accepts it, the same answer as the uncompressed one', async () => {
    await comment(
      `A longer comment, so that the thread is worth compressing. ${'Words. '.repeat(200)}`,
    );
    const raw = (headers: Record<string, string>) =>
      new Promise<{ status: number; headers: IncomingHttpHeaders; bytes: Buffer }>(
        (resolve, reject) => {
          get(`${parley.url}/api/v1/posts/${post.id}/comments`, { headers }, (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              resolve({
                status: response.statusCode ?? 0,
                headers: response.headers,
                bytes: Buffer.concat(chunks),
              }),
            );
          }).on('error', reject);
        },
      );
    const plain = await raw({ 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gzipped = await raw({ 'accept-encoding': 'gzip, deflate' });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toContain('accept-encoding');
    expect(gunzipSync(gzipped.bytes).equals(plain.bytes)).toBe(true);
    expect(gzipped.bytes.length).toBeLessThan(plain.bytes.length / 2);
    const brotli = await raw({ 'accept-encoding': 'br;q=1, gzip;q=0.5' });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(brotli.bytes).equals(plain.bytes)).toBe(true);
    // A reader holding either tag has the answer.
    expect(gzipped.headers.etag).toBe(`W/${plain.headers.etag}`);
    expect(
      (await raw({ 'accept-encoding': 'gzip', 'if-none-match': gzipped.headers.etag ?? '' }))
        .status,
    ).toBe(304);
    expect(
      (await raw({ 'accept-encoding': 'identity', 'if-none-match': gzipped.headers.etag ?? '' }))
        .status,
    ).toBe(304);
  });

  it('shows an anonymous visitor the post page with a comment written since their last visit', async () => {
    const page = async () => {
      const response = await fetch(`${parley.url}/posts/${post.slug}`);
      return { html: await response.text(), csrf: response.headers.getSetCookie().join(';') };
    };
    const before = await page();
    expect(before.html).toContain('<em>often</em>');
    const later = await comment('Written between two visits');
    const after = await page();
    expect(after.html).toContain(`comment-${later.id}`);
    expect(after.html).toContain('Written between two visits');
    // Each visitor's forms carry their own CSRF token, never another visitor's.
    const token = /parley_csrf=([^;]+)/.exec(after.csrf)?.[1] ?? '';
    expect(token.length).toBeGreaterThan(10);
    expect(after.html).toContain(`name="_csrf" value="${token}"`);
    const previous = /parley_csrf=([^;]+)/.exec(before.csrf)?.[1] ?? '';
    expect(after.html).not.toContain(previous);
  });
});
