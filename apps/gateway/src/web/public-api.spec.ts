import { COMMENT_ROUTES, POST_ROUTES } from '@parley/contracts';
import type { ServiceAnswer, ServiceExchange, ServiceTransport } from '@parley/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';
import { ServiceClient } from '../proxy/service-client';
import type { ServiceClients } from '../proxy/service-clients';
import { PublicApi } from './public-api';

/** A service that answers from a list and records what it was asked. */
class ScriptedService implements ServiceTransport {
  readonly asked: ServiceExchange[] = [];
  constructor(private readonly answer: (request: ServiceExchange) => ServiceAnswer) {}
  async exchange(request: ServiceExchange): Promise<ServiceAnswer> {
    this.asked.push(request);
    return this.answer(request);
  }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers: new Headers({ 'content-type': 'application/json', ...headers }),
  bytes: Buffer.from(JSON.stringify(body)),
});

const POST_ID = '0f8e7a52-5b8e-4c1e-9d1c-2b7f3e9a1c44';
const TOKENS = ['viewer-token-one-0001', 'viewer-token-two-0002'];

function setup(answer: (request: ServiceExchange) => ServiceAnswer) {
  const service = new ScriptedService(answer);
  const logger = pino({ level: 'silent' });
  const client = (name: 'posts' | 'comments' | 'notifications') =>
    new ServiceClient(name, service, 1000, logger);
  const services: ServiceClients = {
    posts: client('posts'),
    comments: client('comments'),
    notifications: client('notifications'),
  };
  // Only what a read touches: no session cookies, so the visitor is anonymous.
  const api = new PublicApi(
    undefined as never,
    undefined as never,
    () => new Date(),
    undefined as never,
    services,
  );
  const request = { cookies: {}, headers: {} } as unknown as FastifyRequest;
  const reply = {} as FastifyReply;
  return { api, service, request, reply };
}

describe("the reader pages' reads of the public API", () => {
  it('ask the owning service at its path, with the query as the service reads it, and no account', async () => {
    const t = setup(() => json(200, { items: [] }, { etag: '"t1"' }));
    const answer = await t.api.read(t.request, t.reply, COMMENT_ROUTES.routes.thread, {
      params: { id: POST_ID },
      query: { page: 2, viewerToken: TOKENS },
    });
    expect(answer).toMatchObject({ status: 200, body: { items: [] }, headers: { etag: '"t1"' } });
    const [asked] = t.service.asked;
    expect(asked?.path).toBe(
      `/v1/posts/${POST_ID}/comments?page=2&view=public&viewerToken=${encodeURIComponent(TOKENS.join(','))}`,
    );
    expect(Object.keys(asked?.headers ?? {})).not.toContain('x-parley-actor');
  });

  it('keep what every anonymous visitor reads alike, and ask again only whether it changed', async () => {
    let changed = false;
    const t = setup((request) =>
      !changed && request.headers['if-none-match'] === '"t1"'
        ? { status: 304, headers: new Headers({ etag: '"t1"' }), bytes: Buffer.alloc(0) }
        : json(200, { items: [changed ? 'new' : 'old'] }, { etag: changed ? '"t2"' : '"t1"' }),
    );
    const read = () =>
      t.api.read(t.request, t.reply, COMMENT_ROUTES.routes.thread, { params: { id: POST_ID } });
    expect((await read()).body).toEqual({ items: ['old'] });
    expect(await read()).toMatchObject({ status: 200, body: { items: ['old'] } });
    expect(t.service.asked[1]?.headers['if-none-match']).toBe('"t1"');
    changed = true;
    expect(await read()).toMatchObject({ status: 200, body: { items: ['new'] } });
  });

  it('refuse what the route refuses before the service is asked: an anonymous visitor, a malformed id', async () => {
    const t = setup(() => json(200, { liked: false }));
    const anonymous = await t.api.read(t.request, t.reply, POST_ROUTES.routes.likeState, {
      params: { id: POST_ID },
    });
    expect(anonymous.status).toBe(401);
    const malformed = await t.api.read(t.request, t.reply, COMMENT_ROUTES.routes.thread, {
      params: { id: 'x'.repeat(101) },
      query: { page: 0 },
    });
    expect(malformed).toMatchObject({ status: 400, body: { code: 'validation-failed' } });
    expect(
      (malformed.body as unknown as { errors: { field: string }[] }).errors.map((e) => e.field),
    ).toEqual(['path.id', 'query.page']);
    expect(t.service.asked).toHaveLength(0);
  });

  it("answer with the service's problem when it refuses", async () => {
    const t = setup(() =>
      json(404, { status: 404, code: 'post-not-found', title: 'There is no such post' }),
    );
    const answer = await t.api.read(t.request, t.reply, POST_ROUTES.routes.get, {
      params: { idOrSlug: 'no-such-post' },
    });
    expect(answer).toMatchObject({
      status: 404,
      body: { code: 'post-not-found', title: 'There is no such post' },
    });
  });
});

describe("the reader pages' changes through the public API's routes", () => {
  const ann = { accountId: 'ann', displayName: 'Ann', roles: ['reader' as const] };
  const signedIn = (api: PublicApi, request: FastifyRequest) => {
    // The visitor as the page knows them once their session is read.
    (request as FastifyRequest & { parleyViewer?: unknown }).parleyViewer = ann;
    return api;
  };

  it("ask the owning service with the route's method, its path, the body as the route takes it and the visitor", async () => {
    const t = setup(() => json(200, { commentId: 'c1', liked: true }));
    signedIn(t.api, t.request);
    const liked = await t.api.send(t.request, t.reply, COMMENT_ROUTES.routes.like, {
      params: { id: 'c1' },
    });
    expect(liked).toMatchObject({ status: 200, body: { liked: true } });
    const edited = await t.api.send(t.request, t.reply, COMMENT_ROUTES.routes.edit, {
      params: { id: 'c1' },
      body: { body: 'Edited.' },
    });
    expect(edited.status).toBe(200);
    expect(t.service.asked.map((asked) => [asked.method, asked.path, asked.body])).toEqual([
      ['PUT', '/v1/comments/c1/like', undefined],
      ['PATCH', '/v1/comments/c1', JSON.stringify({ body: 'Edited.' })],
    ]);
    expect(t.service.asked[0]?.headers['x-parley-actor']).toBeDefined();
  });

  it('refuse what the route refuses before the service is asked, naming the fields as the route does', async () => {
    const t = setup(() => json(201, {}));
    const anonymous = await t.api.send(t.request, t.reply, COMMENT_ROUTES.routes.like, {
      params: { id: 'c1' },
    });
    expect(anonymous.status).toBe(401);
    const posted = await t.api.send(t.request, t.reply, COMMENT_ROUTES.routes.post, {
      params: { id: POST_ID },
      body: { body: 'Hello', author: { name: 'Gus', email: 'not an address' } },
    });
    expect(posted).toMatchObject({ status: 400, body: { code: 'validation-failed' } });
    expect(
      (posted.body as unknown as { errors: { field: string }[] }).errors.map((e) => e.field),
    ).toEqual(['author.email']);
    expect(t.service.asked).toHaveLength(0);
  });

  it('send a route whose gateway handler does more than forward through what that handler does', async () => {
    const t = setup(() => json(500, {}));
    const through = jest.fn(async () => ({
      status: 201,
      headers: new Headers(),
      body: { id: 'c9', status: 'approved' },
    }));
    const posted = await t.api.send(
      t.request,
      t.reply,
      COMMENT_ROUTES.routes.post,
      {
        params: { id: POST_ID },
        body: { body: 'Hello', author: { name: 'Gus', email: 'gus@example.com' } },
      },
      through,
    );
    expect(posted).toMatchObject({ status: 201, body: { id: 'c9' } });
    expect(through).toHaveBeenCalledWith({
      method: 'POST',
      path: `/v1/posts/${POST_ID}/comments`,
      body: expect.objectContaining({
        body: 'Hello',
        author: expect.objectContaining({ name: 'Gus' }),
      }),
      actor: null,
    });
    expect(t.service.asked).toHaveLength(0);
  });
});
