import type { PostCommentResponse, ThreadPage, TokensResponse } from '@parley/contracts';
import { MailCatcher, eventually } from '@parley/testing';
import { PASSWORD, type ParleyStack, startParleyStack } from './stack';

interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  correlationId?: string;
  errors?: { field: string; reason: string }[];
}

/**
 * Every class of bad request the public API can get, and how it answers: problem+json with
 * the field and the reason, nothing created, nothing lost.
 */
describe('bad input at the public API', () => {
  let parley: ParleyStack;
  const smtp = new MailCatcher();
  let admin: TokensResponse;
  let reader: TokensResponse;
  let postId: string;

  async function send(
    method: string,
    path: string,
    init: { body?: string; headers?: Record<string, string>; token?: string } = {},
  ): Promise<{ status: number; headers: Headers; text: string }> {
    const response = await fetch(`${parley.url}${path}`, {
      method,
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  async function problem(
    method: string,
    path: string,
    init: Parameters<typeof send>[2] = {},
  ): Promise<Problem> {
    const response = await send(method, path, init);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(response.text) as Problem;
    expect(body.status).toBe(response.status);
    expect(body.type).toBe(`urn:parley:problem:${body.code}`);
    expect(body.correlationId).toBe(response.headers.get('x-correlation-id'));
    return body;
  }

  const fields = (p: Problem) => (p.errors ?? []).map((e) => e.field).sort();

  async function threadIds(): Promise<string[]> {
    const thread = await send('GET', `/api/v1/posts/${postId}/comments`);
    return (JSON.parse(thread.text) as ThreadPage).items.map((c) => c.id);
  }

  beforeAll(async () => {
    await smtp.start();
    parley = await startParleyStack('embedded', {
      smtpUrl: smtp.url,
      rateLimits: { perMinute: 1000, writesPerMinute: 100 },
    });
    const register = async (email: string, displayName: string) =>
      JSON.parse(
        (
          await send('POST', '/api/v1/auth/register', {
            body: JSON.stringify({ email, password: PASSWORD, displayName }),
          })
        ).text,
      ) as TokensResponse;
    admin = await register('boots@blog.example', 'Boots');
    reader = await register('amy@example.com', 'Amy');
    const draft = await send('POST', '/api/v1/posts', {
      token: admin.accessToken,
      body: JSON.stringify({ title: 'Her', body: 'A film.' }),
    });
    postId = (JSON.parse(draft.text) as { id: string }).id;
    await send('POST', `/api/v1/posts/${postId}/publish`, { token: admin.accessToken });
    await send('PUT', '/api/v1/settings/comments', {
      token: admin.accessToken,
      body: JSON.stringify({ floodSeconds: 0 }),
    });
    await eventually(async () => {
      const thread = await send('GET', `/api/v1/posts/${postId}/comments`);
      return thread.status === 200 && (JSON.parse(thread.text) as ThreadPage).commentsOpen
        ? true
        : undefined;
    });
  });

  afterAll(async () => {
    await parley?.close();
    await smtp.stop();
  });

  it('answers malformed JSON with 400', async () => {
    const refused = await problem('POST', `/api/v1/posts/${postId}/comments`, {
      token: reader.accessToken,
      body: '{"body": "unfinished',
    });
    expect(refused.status).toBe(400);
    expect(await threadIds()).toEqual([]);
  });

  it('answers a body that is not JSON with 415', async () => {
    const refused = await problem('POST', `/api/v1/posts/${postId}/comments`, {
      token: reader.accessToken,
      body: 'body=hello',
      headers: { 'content-type': 'text/csv' },
    });
    expect(refused.status).toBe(415);
  });

  it('answers a body over the limit with 413', async () => {
    const refused = await problem('POST', `/api/v1/posts/${postId}/comments`, {
      token: reader.accessToken,
      body: JSON.stringify({ body: 'x'.repeat(1024 * 1024) }),
    });
    expect(refused.status).toBe(413);
  });

  it('names each invalid field with its reason, and each unknown field', async () => {
    const refused = await problem('POST', `/api/v1/posts/${postId}/comments`, {
      body: JSON.stringify({
        body: '',
        author: { name: 'Wade', email: 'not-an-address' },
        notify: 'sometimes',
        sticky: true,
      }),
    });
    expect(refused.status).toBe(400);
    expect(fields(refused)).toEqual(['author.email', 'notify', 'sticky']);
    expect(refused.errors?.find((e) => e.field === 'sticky')?.reason).toBe('unknown field');
    for (const error of refused.errors ?? []) expect(error.reason.length).toBeGreaterThan(3);
    // A body with nothing to show is refused by the comments service, by field too.
    const empty = await problem('POST', `/api/v1/posts/${postId}/comments`, {
      token: reader.accessToken,
      body: JSON.stringify({ body: '  \n ' }),
    });
    expect(empty.status).toBe(422);
    expect(empty.errors).toEqual([{ field: 'body', reason: 'Write something before posting' }]);
    expect(await threadIds()).toEqual([]);
  });

  it('validates query strings and path parameters', async () => {
    const badQuery = await problem('GET', `/api/v1/posts/${postId}/comments?order=sideways&page=0`);
    expect(badQuery.status).toBe(400);
    expect(fields(badQuery)).toEqual(['query.order', 'query.page']);
    const badPath = await problem('PATCH', '/api/v1/posts/not-an-id', {
      token: admin.accessToken,
      body: JSON.stringify({ title: 'x' }),
    });
    expect(badPath.status).toBe(400);
    expect(fields(badPath)).toEqual(['path.id']);
    const badHeader = await problem('PATCH', `/api/v1/posts/${postId}`, {
      token: admin.accessToken,
      body: JSON.stringify({ title: 'x' }),
      headers: { 'if-match': 'yesterday' },
    });
    expect(fields(badHeader)).toEqual(['header.if-match']);
  });

  it('keeps the thread depth within 1 to 10', async () => {
    for (const threadDepth of [0, 11, 2.5]) {
      const refused = await problem('PUT', '/api/v1/settings/comments', {
        token: admin.accessToken,
        body: JSON.stringify({ threadDepth }),
      });
      expect(refused.status).toBe(400);
      expect(fields(refused)).toEqual(['threadDepth']);
    }
  });

  it('refuses a comment on a draft and a reply to a comment that does not exist, by field', async () => {
    const other = await send('POST', '/api/v1/posts', {
      token: admin.accessToken,
      body: JSON.stringify({ title: 'Another', body: 'x' }),
    });
    const missing = await problem(
      'POST',
      `/api/v1/posts/${(JSON.parse(other.text) as { id: string }).id}/comments`,
      {
        token: reader.accessToken,
        body: JSON.stringify({ body: 'On a draft' }),
      },
    );
    expect(missing.status).toBe(409);
    expect(missing.code).toBe('post-not-published');
    const orphan = await problem('POST', `/api/v1/posts/${postId}/comments`, {
      token: reader.accessToken,
      body: JSON.stringify({ body: 'To nobody', parentId: '0b9c6a51-6f3e-4c0e-9d53-2a8f1f0c7e11' }),
    });
    expect(orphan.status).toBe(404);
    expect(fields(orphan)).toEqual(['parentId']);
    expect(await threadIds()).toEqual([]);
  });

  it('runs a POST with an Idempotency-Key once, replays its answer, and refuses the key for another body', async () => {
    const request = {
      token: reader.accessToken,
      body: JSON.stringify({ body: 'Posted once, whatever the network does.' }),
      headers: { 'idempotency-key': 'comment-retry-0001' },
    };
    const first = await send('POST', `/api/v1/posts/${postId}/comments`, request);
    const again = await send('POST', `/api/v1/posts/${postId}/comments`, request);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    const id = (JSON.parse(first.text) as PostCommentResponse).id;
    expect(await threadIds()).toEqual([id]);

    const reused = await problem('POST', `/api/v1/posts/${postId}/comments`, {
      ...request,
      body: JSON.stringify({ body: 'Something else' }),
    });
    expect(reused.status).toBe(422);
    expect(reused.code).toBe('idempotency-key-reused');
    const badKey = await problem('POST', `/api/v1/posts/${postId}/comments`, {
      ...request,
      headers: { 'idempotency-key': 'ü'.repeat(3) },
    });
    expect(fields(badKey)).toEqual(['header.idempotency-key']);
    expect(await threadIds()).toEqual([id]);
  });

  it('sets security headers, and answers CORS only for the allowed origin', async () => {
    const page = await send('GET', '/api/v1/posts', {
      headers: { origin: 'https://blog.example' },
    });
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('access-control-allow-origin')).toBe('https://blog.example');
    const elsewhere = await send('GET', '/api/v1/posts', {
      headers: { origin: 'https://evil.example' },
    });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    const html = await send('GET', '/');
    expect(html.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});

describe('rate limits at the public API', () => {
  let parley: ParleyStack;
  const smtp = new MailCatcher();
  const PER_MINUTE = 30;
  const WRITES_PER_MINUTE = 6;
  const accounts: TokensResponse[] = [];
  let postId: string;

  const send = (path: string, init: { method?: string; body?: unknown; token?: string } = {}) =>
    fetch(`${parley.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });

  beforeAll(async () => {
    await smtp.start();
    parley = await startParleyStack('embedded', {
      smtpUrl: smtp.url,
      rateLimits: { perMinute: PER_MINUTE, writesPerMinute: WRITES_PER_MINUTE },
    });
    // Five registrations: five of this address's six guest writes this minute.
    for (const name of ['Boots', 'Amy', 'Ben', 'Cleo', 'Dan']) {
      const created = await send('/api/v1/auth/register', {
        method: 'POST',
        body: { email: `${name.toLowerCase()}@example.com`, password: PASSWORD, displayName: name },
      });
      expect(created.status).toBe(201);
      accounts.push((await created.json()) as TokensResponse);
    }
    const [admin] = accounts as [TokensResponse];
    const draft = await send('/api/v1/posts', {
      method: 'POST',
      token: admin.accessToken,
      body: { title: 'Her', body: 'A film.' },
    });
    postId = ((await draft.json()) as { id: string }).id;
    await send(`/api/v1/posts/${postId}/publish`, { method: 'POST', token: admin.accessToken });
    await send('/api/v1/settings/comments', {
      method: 'PUT',
      token: admin.accessToken,
      body: { floodSeconds: 0 },
    });
  });

  afterAll(async () => {
    await parley?.close();
    await smtp.stop();
  });

  it("limits a guest's writes with 429 problem+json and Retry-After, and leaves accounts their own", async () => {
    let limited: Response | undefined;
    for (let i = 0; i < WRITES_PER_MINUTE + 2 && !limited; i++) {
      const attempt = await send(`/api/v1/posts/${postId}/comments`, {
        method: 'POST',
        body: { body: `Guest comment ${i}`, author: { name: 'Wade', email: 'wade@example.com' } },
      });
      if (attempt.status === 429) limited = attempt;
      else await attempt.body?.cancel();
    }
    expect(limited).toBeDefined();
    expect(limited?.headers.get('content-type')).toMatch(/problem\+json/);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited?.json()) as Problem).code).toBe('rate-limited');

    const asAccount = await send(`/api/v1/posts/${postId}/comments`, {
      method: 'POST',
      token: accounts[1]?.accessToken,
      body: { body: 'Still allowed to speak.' },
    });
    expect(asAccount.status).toBe(201);
  });

  it('limits an address that spreads its requests over many accounts', async () => {
    const sent = new Map<string, number>();
    let limited: Response | undefined;
    for (let i = 0; i < PER_MINUTE * accounts.length && !limited; i++) {
      const account = accounts[i % accounts.length] as TokensResponse;
      sent.set(account.account.id, (sent.get(account.account.id) ?? 0) + 1);
      const attempt = await send('/api/v1/me', { token: account.accessToken });
      if (attempt.status === 429) limited = attempt;
      else await attempt.body?.cancel();
    }
    expect(limited).toBeDefined();
    // No account reached its own limit: the address did.
    expect(Math.max(...sent.values())).toBeLessThan(PER_MINUTE);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
