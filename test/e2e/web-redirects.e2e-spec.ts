import type { TokensResponse } from '@parley/contracts';
import { MailCatcher, postForJson } from '@parley/testing';
import { PASSWORD, type ParleyStack, startParleyStack } from './stack';

const CSRF = 'a-csrf-token-of-the-test-visitor';

/** Open redirects through the web forms' `next` and `back` fields, over HTTP. */
describe('where the web forms send the browser', () => {
  let parley: ParleyStack;
  const smtp = new MailCatcher();
  let commentId: string;

  async function submit(path: string, fields: Record<string, string>): Promise<Response> {
    return fetch(`${parley.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `parley_csrf=${CSRF}`,
      },
      body: new URLSearchParams({ _csrf: CSRF, ...fields }).toString(),
    });
  }

  const NASTY = [
    '/\\evil.example/',
    '/\t/evil.example',
    '//evil.example',
    '/.//evil.example',
    'https:evil.example',
    'javascript:alert(1)',
    '/posts/x\r\nSet-Cookie: stolen=1',
  ];

  beforeAll(async () => {
    await smtp.start();
    parley = await startParleyStack('embedded', { smtpUrl: smtp.url });
    const json = <T>(path: string, body: unknown, token?: string) =>
      postForJson<T>(parley.url, path, body, token);
    const admin = await json<TokensResponse>('/api/v1/auth/register', {
      email: 'boots@blog.example',
      password: PASSWORD,
      displayName: 'Boots',
    });
    const post = await json<{ id: string }>(
      '/api/v1/posts',
      { title: 'Her', body: 'A film.' },
      admin.accessToken,
    );
    await json(`/api/v1/posts/${post.id}/publish`, {}, admin.accessToken);
    for (let attempt = 0; attempt < 100 && !commentId; attempt++) {
      const posted = await json<{ id?: string }>(
        `/api/v1/posts/${post.id}/comments`,
        { body: 'Mine to delete.' },
        admin.accessToken,
      );
      if (posted.id) commentId = posted.id;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(commentId).toBeDefined();
  });

  afterAll(async () => {
    await parley?.close();
    await smtp.stop();
  });

  it.each(NASTY)('logs in and lands on the front page, not on %j', async (next) => {
    const answer = await submit('/login', {
      email: 'boots@blog.example',
      password: PASSWORD,
      next,
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/');
    expect(answer.headers.getSetCookie().join('\n')).toMatch(/parley_access=/);
    expect(answer.headers.getSetCookie().join('\n')).not.toMatch(/stolen/);
  });

  it('logs in and goes back to the local page it came from', async () => {
    const answer = await submit('/login', {
      email: 'boots@blog.example',
      password: PASSWORD,
      next: '/posts/her?cpage=2#comment-1',
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/posts/her?cpage=2#comment-1');
  });

  it('puts only a local target into the login form', async () => {
    const page = await fetch(`${parley.url}/login?next=${encodeURIComponent('/\\evil.example/')}`);
    const html = await page.text();
    expect(html).toMatch(/name="next"\s+value="\/"/);
    expect(html).not.toContain('evil.example');
  });

  it.each(NASTY)('sends the delete form back to the front page, not to %j', async (back) => {
    const answer = await submit(`/comments/${encodeURIComponent(commentId)}/delete`, { back });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/');
  });
});
