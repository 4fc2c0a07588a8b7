import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProblemAnswerError, bodyOf, parleyClient } from './client';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

describe('the typed client', () => {
  let server: Server;
  let baseUrl: string;
  const seen: Seen[] = [];
  const headersSeen: IncomingMessage['headers'][] = [];
  let handle: Handler = (_request, response) => response.end();

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          ...(request.headers.authorization
            ? { authorization: request.headers.authorization }
            : {}),
          ...(request.headers['content-type']
            ? { contentType: request.headers['content-type'] }
            : {}),
          body,
        });
        headersSeen.push(request.headers);
        handle(request, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const answerJson = (status: number, body: unknown, type = 'application/json') => {
    handle = (_request, response) => {
      response.writeHead(status, { 'content-type': type });
      response.end(JSON.stringify(body));
    };
  };

  it('fills each path parameter as one encoded segment and answers the body', async () => {
    answerJson(200, { id: 'p1', slug: 'hello', title: 'Hello' });
    const answer = await parleyClient({ baseUrl }).posts.get({ params: { idOrSlug: 'a/b c?' } });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/api/v1/posts/a%2Fb%20c%3F' });
    expect(answer.ok && answer.body.slug).toBe('hello');
    expect(answer.status).toBe(200);
  });

  it('sends the body as JSON with the bearer token, and the query as the API reads it', async () => {
    answerJson(201, { id: 'p2' });
    const api = parleyClient({ baseUrl, token: 'the-token' });
    await api.posts.create({ body: { title: 'A title', body: 'Some text' } });
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      url: '/api/v1/posts',
      authorization: 'Bearer the-token',
      contentType: 'application/json',
      body: JSON.stringify({ title: 'A title', body: 'Some text' }),
    });
    answerJson(200, { items: [], totals: { comments: 0 } });
    await api.as(undefined).comments.thread({
      params: { id: 'p2' },
      query: { page: 2, view: 'moderation', viewerToken: undefined },
    });
    expect(seen.at(-1)).toEqual({
      method: 'GET',
      url: '/api/v1/posts/p2/comments?page=2&view=moderation',
      body: '',
    });
  });

  it("sends the client's headers on every call, and a call's own over them", async () => {
    answerJson(200, { items: [] });
    const api = parleyClient({
      baseUrl,
      headers: { 'x-forwarded-for': '203.0.113.7', 'x-a': '1' },
    });
    await api.posts.list({ headers: { 'x-a': '2' } });
    expect(headersSeen.at(-1)).toMatchObject({ 'x-forwarded-for': '203.0.113.7', 'x-a': '2' });
  });

  it('answers a problem with the fields it names', async () => {
    const problem = {
      type: 'urn:parley:problem:validation',
      title: 'The request is not valid',
      status: 422,
      code: 'validation',
      errors: [{ field: 'body', reason: 'is required' }],
    };
    answerJson(422, problem, 'application/problem+json');
    const answer = await parleyClient({ baseUrl, token: 't' }).comments.edit({
      params: { id: 'c1' },
      body: { body: '' },
    });
    expect(answer).toMatchObject({ ok: false, status: 422, problem });
    expect(() => bodyOf(answer)).toThrow(new ProblemAnswerError(problem).message);
    expect(new ProblemAnswerError(problem).message).toBe(
      '422 The request is not valid: body is required',
    );
  });

  it('describes an answer that states no problem (a proxy page) by its status', async () => {
    handle = (_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<h1>Bad gateway</h1>');
    };
    const answer = await parleyClient({ baseUrl }).posts.list();
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.problem).toMatchObject({ status: 502, code: 'http-502' });
    expect(answer.problem.detail).toContain('Bad gateway');
  });

  it('answers an empty success without a body', async () => {
    handle = (_request, response) => {
      response.writeHead(204);
      response.end();
    };
    const answer = await parleyClient({ baseUrl, token: 't' }).notifications.removeWebhook({
      params: { id: 'w 1' },
    });
    expect(answer).toMatchObject({ ok: true, status: 204, body: undefined });
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', url: '/api/v1/webhooks/w%201' });
  });

  it('types each call by its route', () => {
    const api = parleyClient({ baseUrl });
    const typeChecks = [
      // @ts-expect-error the route has a path parameter
      () => api.posts.get(),
      // @ts-expect-error a post's title is a string
      () => api.posts.create({ body: { title: 1, body: 'x' } }),
      // @ts-expect-error the route takes no body
      () => api.posts.publish({ params: { id: 'p' }, body: {} }),
    ];
    expect(typeChecks).toHaveLength(3);
  });
});
