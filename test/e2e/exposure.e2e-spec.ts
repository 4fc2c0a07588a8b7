import type { PostCommentResponse, TokensResponse } from '@parley/contracts';
import { MailCatcher, type SseClient, eventually, openSse, requestJson } from '@parley/testing';
import { PASSWORD, type ParleyStack, startParleyStack } from './stack';

const STREAMS = 3;

interface Problem {
  status: number;
  code: string;
  instance?: string;
}

/** What the public port shows of the inside: metrics, service paths, and how many streams a client may hold. */
describe('what the public API exposes', () => {
  let parley: ParleyStack;
  const smtp = new MailCatcher();
  let admin: TokensResponse;
  let reader: TokensResponse;
  let postId: string;
  const open: SseClient[] = [];

  const json = <T>(method: string, path: string, body?: unknown, token?: string) =>
    requestJson<T>(parley.url, method, path, body, token);

  beforeAll(async () => {
    await smtp.start();
    parley = await startParleyStack('embedded', {
      smtpUrl: smtp.url,
      liveStreamsPerClient: STREAMS,
      metrics: true,
    });
    const register = async (email: string, displayName: string) =>
      (
        await json<TokensResponse>('POST', '/api/v1/auth/register', {
          email,
          password: PASSWORD,
          displayName,
        })
      ).body;
    admin = await register('boots@blog.example', 'Boots');
    reader = await register('amy@example.com', 'Amy');
    postId = (
      await json<{ id: string }>(
        'POST',
        '/api/v1/posts',
        { title: 'Her', body: 'A film.' },
        admin.accessToken,
      )
    ).body.id;
    await json('POST', `/api/v1/posts/${postId}/publish`, undefined, admin.accessToken);
  });

  afterAll(async () => {
    for (const stream of open) stream.close();
    await parley?.close();
    await smtp.stop();
  });

  it('answers 404 for /metrics on the public port and serves the metrics on their own port', async () => {
    const publicScrape = await fetch(`${parley.url}/metrics`);
    expect(publicScrape.status).toBe(404);
    expect(await publicScrape.text()).not.toContain('parley_http_request_duration_ms');
    expect(parley.metricsUrl).toBeDefined();
    expect(parley.metricsUrl).not.toBe(parley.url);
    const scrape = await fetch(`${parley.metricsUrl}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(/parley_http_request_duration_ms_count\{service="gateway"/);
  });

  it("does not open a guest's sealed data for the public, not even for an admin", async () => {
    const values = [
      { field: 'comment.author.email', value: 'pd1.k.AAAAAAAAAAAAAAAA.YQ.AAAAAAAAAAAAAAAAAAAAAA' },
    ];
    for (const path of ['/api/v1/personal-data/opened', '/v1/personal-data/opened']) {
      const opened = await json('POST', path, { values }, admin.accessToken);
      expect(opened.status).toBe(404);
    }
  });

  it('points the Location of a new comment and a new post at their public paths, which answer', async () => {
    const posted = await eventually(async () => {
      const answer = await json<PostCommentResponse>(
        'POST',
        `/api/v1/posts/${postId}/comments`,
        { body: 'Where does this live?' },
        reader.accessToken,
      );
      return answer.status === 201 ? answer : undefined;
    });
    expect(posted.headers.get('location')).toBe(`/api/v1/comments/${posted.body.id}`);
    const followed = await json<{ id: string }>('GET', posted.headers.get('location')!);
    expect(followed.status).toBe(200);
    expect(followed.body.id).toBe(posted.body.id);

    const draft = await json<{ id: string }>(
      'POST',
      '/api/v1/posts',
      { title: 'Lost in Translation', body: 'Another film.' },
      admin.accessToken,
    );
    expect(draft.status).toBe(201);
    expect(draft.headers.get('location')).toBe(`/api/v1/posts/${draft.body.id}`);
  });

  it.each(['GET', 'POST'])(
    'names the public path as the instance of a problem a service raised (%s unsubscribe)',
    async (method) => {
      const answer = await json<Problem>(
        method,
        '/api/v1/unsubscribe?token=not-a-real-unsubscribe-token',
      );
      expect(answer.status).toBe(403);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body.code).toBe('invalid-token');
      expect(answer.body.instance).toBe('/api/v1/unsubscribe');
    },
  );

  async function refusedStream(path: string, token?: string): Promise<Problem> {
    const response = await fetch(`${parley.url}${path}`, {
      headers: {
        accept: 'text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return (await response.json()) as Problem;
  }

  /** Opens a stream once a slot is free: the server learns of a closed stream a moment later. */
  const reopened = (path: string, headers: Record<string, string> = {}) =>
    eventually(async () => {
      const stream = await openSse(`${parley.url}${path}`, headers);
      if (stream.status === 200) return stream;
      stream.close();
      return undefined;
    });

  it('refuses a guest one live stream more than the cap with 429, and frees a slot when one closes', async () => {
    const path = `/api/v1/posts/${postId}/comments/stream`;
    for (let i = 0; i < STREAMS; i++) {
      const stream = await openSse(`${parley.url}${path}`);
      expect(stream.status).toBe(200);
      open.push(stream);
    }
    expect((await refusedStream(path)).code).toBe('too-many-streams');

    open.shift()?.close();
    open.push(await reopened(path));
    expect((await refusedStream(path)).code).toBe('too-many-streams');
  });

  it("counts a logged-in reader's streams against the account, apart from the address's guests", async () => {
    const path = '/api/v1/notifications/stream';
    const auth = { authorization: `Bearer ${reader.accessToken}` };
    const mine: SseClient[] = [];
    for (let i = 0; i < STREAMS; i++) {
      const stream = await openSse(`${parley.url}${path}`, auth);
      expect(stream.status).toBe(200);
      mine.push(stream);
    }
    open.push(...mine);
    expect((await refusedStream(path, reader.accessToken)).code).toBe('too-many-streams');
    // The same account on a post's stream: still its own share.
    expect(
      (await refusedStream(`/api/v1/posts/${postId}/comments/stream`, reader.accessToken)).code,
    ).toBe('too-many-streams');
    // Another account from the same address has a share of its own.
    const own = await openSse(`${parley.url}${path}`, {
      authorization: `Bearer ${admin.accessToken}`,
    });
    expect(own.status).toBe(200);
    open.push(own);

    mine[0]?.close();
    open.push(await reopened(path, auth));
  });
});
