import type { PostCommentResponse, PostView, ThreadPage, TokensResponse } from '@parley/contracts';
import { type JsonAnswer, MailCatcher, callJson, eventually } from '@parley/testing';
import { PASSWORD, type ParleyStack, startParleyStack } from './stack';

interface Problem {
  status: number;
  code: string;
  errors?: { field: string; reason: string }[];
}

/**
 * Texts an attacker sends to break the pages or slip past the rules, through the gateway as
 * readers send them: 3,000 nested quotes, characters that are not text, a flood of guest
 * comments under rotating emails.
 */
describe('hostile text at the public API and the pages', () => {
  let parley: ParleyStack;
  const smtp = new MailCatcher();
  let admin: TokensResponse;
  let reader: TokensResponse;

  /** A request as a reader's client sends it: redirects followed, as a browser does. */
  const send = <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    { cookie, ...init }: { token?: string; cookie?: string; headers?: Record<string, string> } = {},
  ): Promise<JsonAnswer<T>> =>
    callJson<T>(parley.url, method, path, {
      ...init,
      ...(body !== undefined ? { body } : {}),
      ...(cookie ? { headers: { ...init.headers, cookie } } : {}),
      redirect: 'follow',
    });

  async function publishedPost(title: string, body: string): Promise<PostView> {
    const draft = await send<PostView>(
      'POST',
      '/api/v1/posts',
      { title, body },
      { token: admin.accessToken },
    );
    expect(draft.status).toBe(201);
    expect(
      (
        await send('POST', `/api/v1/posts/${draft.body.id}/publish`, undefined, {
          token: admin.accessToken,
        })
      ).status,
    ).toBe(200);
    await eventually(async () => {
      const thread = await send<ThreadPage>('GET', `/api/v1/posts/${draft.body.id}/comments`);
      return thread.status === 200 && thread.body.commentsOpen ? true : undefined;
    });
    return draft.body;
  }

  beforeAll(async () => {
    await smtp.start();
    parley = await startParleyStack('embedded', {
      smtpUrl: smtp.url,
      rateLimits: { perMinute: 1000, writesPerMinute: 100 },
    });
    const register = async (email: string, displayName: string) =>
      (
        await send<TokensResponse>('POST', '/api/v1/auth/register', {
          email,
          password: PASSWORD,
          displayName,
        })
      ).body;
    admin = await register('boots@blog.example', 'Boots');
    reader = await register('amy@example.com', 'Amy');
  });

  afterAll(async () => {
    await parley?.close();
    await smtp.stop();
  });

  it('takes a post and a comment of 3,000 nested quotes and shows them, and previews one', async () => {
    const deep = `${'>'.repeat(3000)} the deepest quote`;
    const post = await publishedPost('Quotes all the way down', deep);
    const page = await send('GET', `/posts/${post.slug}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('the deepest quote');

    const comment = await send<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${post.id}/comments`,
      { body: deep },
      { token: reader.accessToken },
    );
    expect(comment.status).toBe(201);
    const thread = await send<ThreadPage>('GET', `/api/v1/posts/${post.id}/comments`);
    expect(thread.status).toBe(200);
    expect(thread.body.items.map((i) => i.html).join('')).toContain('the deepest quote');
    const withComment = await send('GET', `/posts/${post.slug}`);
    expect(withComment.status).toBe(200);
    expect(withComment.text.split('the deepest quote')).toHaveLength(3);

    const csrf = 'a-csrf-token-of-the-editor';
    const preview = await send(
      'POST',
      '/preview',
      { body: deep },
      {
        cookie: `parley_access=${admin.accessToken}; parley_csrf=${csrf}`,
        headers: { 'x-parley-csrf': csrf },
      },
    );
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('the deepest quote');
  });

  it('refuses NUL, control characters and unpaired surrogates with 422 naming the field, and keeps nothing', async () => {
    const post = await publishedPost('Plain text only', 'Say something.');
    for (const [body, reason] of [
      ['NUL \u0000 here', 'must not contain NUL (U+0000)'],
      ['half an emoji \ud83d', 'must be valid Unicode (an unpaired surrogate U+D83D is not)'],
      ['a bell \u0007', 'must not contain the control character U+0007'],
    ]) {
      const refused = await send<Problem>(
        'POST',
        `/api/v1/posts/${post.id}/comments`,
        { body },
        { token: reader.accessToken },
      );
      expect(refused.status).toBe(422);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body.errors).toEqual([{ field: 'body', reason }]);
    }
    const title = await send<Problem>(
      'POST',
      '/api/v1/posts',
      { title: 'Her\u0000', body: 'x' },
      { token: admin.accessToken },
    );
    expect(title.status).toBe(422);
    expect(title.body.errors?.map((e) => e.field)).toEqual(['title']);
    expect((await send<ThreadPage>('GET', `/api/v1/posts/${post.id}/comments`)).body.items).toEqual(
      [],
    );
  });

  it('lets one comment through from an address in the flood interval, whatever email each gives', async () => {
    const post = await publishedPost('Guests welcome', 'Tell me.');
    const statuses: number[] = [];
    for (let n = 0; n < 6; n += 1) {
      const posted = await send<Problem>('POST', `/api/v1/posts/${post.id}/comments`, {
        body: `Message number ${n}`,
        author: { name: `Sam ${n}`, email: `sam${n}@spam.example` },
      });
      statuses.push(posted.status);
    }
    expect(statuses).toEqual([201, 429, 429, 429, 429, 429]);
  });
});
