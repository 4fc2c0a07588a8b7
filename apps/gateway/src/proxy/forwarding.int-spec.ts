import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokensResponse } from '@parley/contracts';
import { decodeActor } from '@parley/platform';
import { type ServiceHarness, startServiceHarness } from '@parley/testing';
import { gatewayService } from '../gateway.service';
import { gatewayAloneOptions } from '../testing/gateway-alone';

interface Seen {
  method: string;
  url: string;
  actor: ReturnType<typeof decodeActor>;
  correlationId: string | undefined;
  body: string;
}

/** A real HTTP server standing where the posts service would, answering as each test says. */
async function upstream(
  answer: (
    req: IncomingMessage,
    body: string,
  ) => { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number },
) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        actor: decodeActor(req.headers['x-parley-actor']),
        correlationId: req.headers['x-correlation-id'] as string | undefined,
        body,
      });
      const reply = answer(req, body);
      setTimeout(() => {
        res.writeHead(reply.status, {
          'content-type': reply.status >= 400 ? 'application/problem+json' : 'application/json',
          ...(reply.headers ?? {}),
        });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const POST_ID = '0b9c6a51-6f3e-4c0e-9d53-2a8f1f0c7e11';

describe('the gateway forwarding to a service', () => {
  let gateway: ServiceHarness;
  let posts: Awaited<ReturnType<typeof upstream>>;
  let author: TokensResponse;
  let behaviour: (
    req: IncomingMessage,
    body: string,
  ) => {
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
    delayMs?: number;
  } = () => ({ status: 200, body: {} });

  beforeAll(async () => {
    posts = await upstream((req, body) => behaviour(req, body));
    gateway = await startServiceHarness(
      gatewayService(gatewayAloneOptions({ timeoutMs: 300, postsUrl: posts.url })),
      'embedded',
    );
    const registered = await fetch(`${gateway.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'boots@example.com',
        password: 'correct horse battery',
        displayName: 'Boots',
      }),
    });
    author = (await registered.json()) as TokensResponse;
  });

  afterAll(async () => {
    await gateway.close();
    await posts.close();
  });

  const call = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${gateway.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${author.accessToken}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  it('forwards with the caller as actor and the correlation id, and passes the status through', async () => {
    behaviour = () => ({
      status: 201,
      body: { id: 'p1', title: 'Her' },
      headers: { location: '/v1/posts/p1' },
    });
    const response = await call(
      'POST',
      '/api/v1/posts',
      { title: 'Her', body: 'A film' },
      { 'x-correlation-id': 'corr-forward-0001', 'x-parley-actor': 'forged' },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/api/v1/posts/p1');
    expect(await response.json()).toEqual({ id: 'p1', title: 'Her' });
    const seen = posts.seen.at(-1)!;
    expect(seen).toMatchObject({
      method: 'POST',
      url: '/v1/posts',
      correlationId: 'corr-forward-0001',
    });
    expect(seen.actor).toEqual({
      accountId: author.account.id,
      displayName: 'Boots',
      roles: ['admin'],
    });
    expect(JSON.parse(seen.body)).toEqual({
      title: 'Her',
      body: 'A film',
      categories: [],
      tags: [],
      series: null,
    });
  });

  it('sends If-Match on as the expected revision', async () => {
    behaviour = () => ({ status: 200, body: { id: 'p1' } });
    const response = await call(
      'PATCH',
      `/api/v1/posts/${POST_ID}`,
      { title: 'Her (2013)' },
      { 'if-match': '"3"' },
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(posts.seen.at(-1)!.body)).toEqual({
      title: 'Her (2013)',
      expectedRevision: 3,
    });
  });

  it("passes a service's problem on with its reason and the gateway's correlation id", async () => {
    behaviour = () => ({
      status: 409,
      body: {
        type: 'urn:parley:problem:revision-conflict',
        title: 'Someone saved first',
        status: 409,
        code: 'revision-conflict',
        currentRevision: 4,
      },
    });
    const response = await call(
      'PATCH',
      `/api/v1/posts/${POST_ID}`,
      { title: 'x' },
      { 'x-correlation-id': 'corr-forward-0002' },
    );
    expect(response.status).toBe(409);
    const problem = (await response.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({
      code: 'revision-conflict',
      title: 'Someone saved first',
      currentRevision: 4,
      correlationId: 'corr-forward-0002',
    });
  });

  it('answers 502 when the service fails, 504 when it is too slow and 503 when it is down, never hanging', async () => {
    behaviour = () => ({ status: 500, body: { secret: 'stack trace' } });
    const failing = await call('GET', '/api/v1/posts/p1');
    expect(failing.status).toBe(502);
    expect(JSON.stringify(await failing.json())).not.toContain('stack trace');

    behaviour = () => ({ status: 200, body: {}, delayMs: 2000 });
    const started = Date.now();
    const slow = await call('GET', '/api/v1/posts/p1');
    expect(slow.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1500);

    await posts.close();
    const down = await call('GET', '/api/v1/posts/p1');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    const problem = (await down.json()) as { code: string; correlationId: string };
    expect(problem.code).toBe('service-unavailable');
    expect(problem.correlationId).toBe(down.headers.get('x-correlation-id'));
  });

  it('refuses bad input at the door, before any service sees it', async () => {
    const before = posts.seen.length;
    const response = await call('GET', '/api/v1/posts?limit=5000&color=red');
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field).sort()).toEqual(['query.color', 'query.limit']);
    expect(posts.seen.length).toBe(before);
  });
});
