import { randomUUID } from 'node:crypto';
import type { TokensResponse } from '@parley/contracts';
// OpenAPI 3.0 schemas are JSON Schema draft 4 plus `nullable`, which Ajv knows.
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { MailCatcher } from '@parley/testing';
import { PASSWORD, type ParleyStack, startParleyStack } from './stack';

const WRITES_PER_MINUTE = 4;

type Schema = Record<string, unknown>;
interface Operation {
  security?: unknown[];
  parameters?: { name: string; schema: Schema }[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
  responses: Record<
    string,
    { content?: Record<string, { schema: Schema }>; links?: Record<string, unknown> }
  >;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

/** Where the published document and the server's behaviour used to part ways. */
describe('the API document and the server agree', () => {
  let parley: ParleyStack;
  const smtp = new MailCatcher();
  let admin: TokensResponse;
  let reader: TokensResponse;
  let doc: OpenApi;

  const send = async (
    method: string,
    path: string,
    init: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ) => {
    const response = await fetch(`${parley.url}${path}`, {
      method,
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      json: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
    };
  };
  const operation = (method: string, path: string): Operation => {
    const found = doc.paths[path]?.[method];
    if (!found) throw new Error(`${method} ${path} is not documented`);
    return found;
  };
  const bodySchema = (method: string, path: string) =>
    operation(method, path).requestBody?.content['application/json'].schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const documented = (method: string, path: string, status: number, body: unknown) => {
    const schema = operation(method, path).responses[String(status)]?.content?.[
      'application/problem+json'
    ]?.schema;
    if (!schema) return `${status} is not documented for ${method} ${path}`;
    const check = ajv.compile(schema);
    return check(body) ? null : ajv.errorsText(check.errors);
  };

  beforeAll(async () => {
    await smtp.start();
    parley = await startParleyStack('embedded', {
      smtpUrl: smtp.url,
      rateLimits: { perMinute: 1000, writesPerMinute: WRITES_PER_MINUTE },
    });
    const register = async (email: string, displayName: string, token?: string) =>
      (
        await send('POST', '/api/v1/auth/register', {
          body: { email, password: PASSWORD, displayName },
          ...(token ? { token } : {}),
        })
      ).json as unknown as TokensResponse;
    admin = await register('boots@blog.example', 'Boots');
    // From the admin's identity, so the guest's write count of this address stays whole.
    reader = await register('amy@example.com', 'Amy', admin.accessToken);
    doc = (await send('GET', '/api/openapi.json')).json as unknown as OpenApi;
  });

  afterAll(async () => {
    await parley?.close();
    await smtp.stop();
  });

  it('answers a path parameter past the documented length with 400, and only far past it with 414 problem+json', async () => {
    const documentedMax = operation('get', '/api/v1/comments/{id}').parameters?.find(
      (p) => p.name === 'id',
    )?.schema.maxLength as number;
    const over = await send('GET', `/api/v1/comments/${'x'.repeat(documentedMax + 1)}`);
    expect(over.status).toBe(400);
    expect(over.json.errors).toEqual([expect.objectContaining({ field: 'path.id' })]);

    const far = await send('GET', `/api/v1/comments/${'x'.repeat(5000)}`);
    expect(far.status).toBe(414);
    expect(far.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(far.json.code).toBe('uri-too-long');
    expect(documented('get', '/api/v1/comments/{id}', 414, far.json)).toBeNull();
  });

  it('takes a query as long as documented, and answers a head past the server limit with 431 problem+json', async () => {
    // The longest documented viewer token list, in characters that travel as 3 bytes each.
    const token = '€'.repeat(200);
    const tokens = Array.from({ length: 9 }, () => token).join(',');
    const allowed = await send(
      'GET',
      `/api/v1/comments/missing?viewerToken=${encodeURIComponent(tokens)}`,
    );
    expect(allowed.status).toBe(404);

    const huge = await send('GET', '/api/v1/posts', {
      headers: { 'x-padding': 'x'.repeat(70_000) },
    });
    expect(huge.status).toBe(431);
    expect(huge.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(documented('get', '/api/v1/posts', 431, huge.json)).toBeNull();
  });

  it('answers a known path with an undeclared method with 405 and Allow', async () => {
    const response = await send('PATCH', '/api/v1/comments/any-id/like', {
      token: reader.accessToken,
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('DELETE, PUT');
    expect(response.json.code).toBe('method-not-allowed');
    expect((await send('PATCH', '/api/v1/no-such-thing')).status).toBe(404);
  });

  it('documents the comment settings as what they are: for admins only', async () => {
    const settings = operation('get', '/api/v1/settings/comments');
    expect(settings.security).toEqual([{ bearer: [] }]);
    expect((await send('GET', '/api/v1/settings/comments')).status).toBe(401);
    expect(
      (await send('GET', '/api/v1/settings/comments', { token: reader.accessToken })).status,
    ).toBe(403);
    expect(
      (await send('GET', '/api/v1/settings/comments', { token: admin.accessToken })).status,
    ).toBe(200);
  });

  it('answers 404 to taking back a like of a post or comment that does not exist', async () => {
    const post = await send('DELETE', `/api/v1/posts/${randomUUID()}/like`, {
      token: reader.accessToken,
    });
    expect(post.status).toBe(404);
    expect(post.json.code).toBe('post-not-found');
    const comment = await send('DELETE', `/api/v1/comments/${randomUUID()}/like`, {
      token: reader.accessToken,
    });
    expect(comment.status).toBe(404);
    expect(comment.json.code).toBe('comment-not-found');
  });

  it('states in the document the rules the server checks', () => {
    const email = (
      bodySchema('post', '/api/v1/auth/register')?.properties as Record<string, Schema>
    ).email;
    expect(email).toMatchObject({ maxLength: 254, pattern: expect.any(String) });
    expect(new RegExp(email?.pattern as string).test('amy@example.com')).toBe(true);
    expect(new RegExp(email?.pattern as string).test('amy@localhost')).toBe(false);

    const subscribe = bodySchema('post', '/api/v1/subscriptions');
    const channels = (subscribe?.properties as Record<string, Schema>).channels;
    expect(channels).toMatchObject({ uniqueItems: true });
    expect(subscribe?.anyOf).toBeDefined();

    const viewerToken = operation('get', '/api/v1/comments/{id}').parameters?.find(
      (p) => p.name === 'viewerToken',
    )?.schema;
    expect(viewerToken?.pattern).toEqual(expect.any(String));
    const cursor = operation('get', '/api/v1/posts').parameters?.find(
      (p) => p.name === 'cursor',
    )?.schema;
    expect(cursor?.pattern).toBe('^[A-Za-z0-9_-]+$');
    expect(bodySchema('put', '/api/v1/posts/{id}/comment-settings')?.anyOf).toBeDefined();
  });

  it('links a new post to its thread and a new comment to its replies and like', () => {
    const postLinks = operation('post', '/api/v1/posts').responses['201']?.links ?? {};
    expect(postLinks.Thread).toMatchObject({
      operationId: 'CommentsController_thread',
      parameters: { id: '$response.body#/id' },
    });
    const commentLinks =
      operation('post', '/api/v1/posts/{id}/comments').responses['201']?.links ?? {};
    expect(commentLinks.Reply).toMatchObject({
      operationId: 'CommentsController_post',
      requestBody: { parentId: '$response.body#/id' },
    });
    expect(commentLinks.LikeComment).toMatchObject({ operationId: 'CommentsController_like' });
  });

  it('refuses resend-verification without a token with 401 however many writes the address made', async () => {
    let limited: Awaited<ReturnType<typeof send>> | undefined;
    for (let i = 0; i < WRITES_PER_MINUTE + 2 && !limited; i++) {
      const attempt = await send('POST', '/api/v1/auth/login', {
        body: { email: 'nobody@example.com', password: 'wrong password' },
      });
      if (attempt.status === 429) limited = attempt;
    }
    expect(limited?.status).toBe(429);
    // The 429 body is what the document says it is, retryAfterSeconds included.
    expect(limited?.json.retryAfterSeconds).toEqual(expect.any(Number));
    expect(documented('post', '/api/v1/auth/login', 429, limited?.json)).toBeNull();

    const resend = await send('POST', '/api/v1/auth/resend-verification');
    expect(resend.status).toBe(401);
  });
});
