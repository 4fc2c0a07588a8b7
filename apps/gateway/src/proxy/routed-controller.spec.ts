import { Controller, Module, Param } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ANYONE, ANY_ACCOUNT, type Actor, routeTable, withRole } from '@parley/contracts';
import { CLOCK, createHttpApp } from '@parley/platform';
import pino from 'pino';
import { z } from 'zod';
import { AuthenticationGuard } from '../auth/authentication.guard';
import { IdentityService } from '../identity/identity.service';
import { TableRoute, routedController } from './routed-controller';
import type { ServiceRequest, ServiceResponse } from './service-client';
import { SERVICE_CLIENTS } from './service-clients';

const WIDGET_ROUTES = routeTable('Widgets', {
  make: {
    method: 'POST',
    path: '/api/v1/widgets/:id/parts',
    service: 'posts',
    params: { id: z.string().min(1).max(8) },
    body: z.object({ name: z.string().min(1) }).strict(),
    answer: { status: 201, schema: z.object({ id: z.string() }), description: 'The part' },
    problems: [401, 403, 422],
    access: withRole('author'),
    summary: 'Make a part.',
    writeLimited: true,
  },
  parts: {
    method: 'GET',
    path: '/api/v1/widgets/:id/parts',
    service: 'posts',
    params: { id: z.string().min(1).max(8) },
    query: z.object({ token: z.array(z.string()).optional(), limit: z.coerce.number().optional() }),
    answer: { status: 200, schema: z.object({ items: z.array(z.string()) }), description: 'Parts' },
    problems: [404],
    access: ANYONE,
    summary: 'The parts of a widget.',
    anonymousCall: true,
  },
  sheet: {
    method: 'GET',
    path: '/api/v1/widgets/:id/sheet',
    service: 'comments',
    servicePath: '/v1/sheets/:id',
    params: { id: z.string().max(8) },
    answer: { status: 200, schema: z.object({}), description: 'The sheet' },
    problems: [],
    access: ANYONE,
    summary: 'The data sheet, passed on as the service wrote it.',
    passedUnparsed: true,
  },
  scrap: {
    method: 'DELETE',
    path: '/api/v1/widgets/:id',
    service: 'posts',
    params: { id: z.string().max(8) },
    answer: { status: 204, description: 'Scrapped' },
    problems: [401],
    access: ANY_ACCOUNT,
    summary: 'Scrap a widget.',
  },
  inspect: {
    method: 'POST',
    path: '/api/v1/widgets/:id/inspection',
    service: 'posts',
    params: { id: z.string().max(8) },
    answer: { status: 200, schema: z.object({ verdict: z.string() }), description: 'The verdict' },
    problems: [401],
    access: ANY_ACCOUNT,
    summary: 'Inspect a widget, answered by the gateway itself.',
  },
});

const AUTHOR: Actor = { accountId: 'a1', displayName: 'Ann', roles: ['author'] };
const READER: Actor = { accountId: 'r1', displayName: 'Rob', roles: ['reader'] };

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A service that records what reaches it and answers as the test says. */
function fakeService() {
  const seen: ServiceRequest[] = [];
  let next: Answer = { status: 200, body: {} };
  const respond = <T>(request: ServiceRequest, body: T): ServiceResponse<T> => {
    seen.push(request);
    return { status: next.status, body, headers: new Headers(next.headers ?? {}) };
  };
  return {
    seen,
    answer: (answer: Answer) => (next = answer),
    client: {
      call: async (request: ServiceRequest) => respond(request, next.body),
      relay: async (request: ServiceRequest) =>
        respond(
          request,
          next.body === undefined ? undefined : Buffer.from(JSON.stringify(next.body)),
        ),
    },
  };
}

describe('a controller built from a route table', () => {
  let app: NestFastifyApplication;
  const posts = fakeService();
  const comments = fakeService();
  const routeConfigs: Record<string, unknown> = {};

  beforeAll(async () => {
    @Controller()
    class WidgetsController extends routedController(WIDGET_ROUTES, { written: ['inspect'] }) {
      @TableRoute(WIDGET_ROUTES.routes.inspect)
      async inspect(@Param('id') id: string): Promise<{ verdict: string }> {
        return { verdict: `${id} is fine` };
      }
    }

    const identity = {
      verifyAccess: async (token: string) => ({ author: AUTHOR, reader: READER })[token] ?? null,
    };
    @Module({
      controllers: [WidgetsController],
      providers: [
        { provide: SERVICE_CLIENTS, useValue: { posts: posts.client, comments: comments.client } },
        { provide: IdentityService, useValue: identity },
        { provide: CLOCK, useValue: () => new Date() },
        { provide: APP_GUARD, useClass: AuthenticationGuard },
      ],
    })
    class WidgetsModule {}

    app = await createHttpApp(WidgetsModule, {
      service: 'test',
      logger: pino({ level: 'silent' }),
    });
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRequest', async (request) => {
        routeConfigs[`${request.method} ${request.routeOptions.url}`] = request.routeOptions.config;
      });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
  });

  const send = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    app.inject({
      method,
      url,
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { payload: JSON.stringify(init.body) } : {}),
    });

  it('forwards a valid call to the owning service with the caller, and passes its answer on', async () => {
    posts.answer({
      status: 201,
      body: { id: 'p1' },
      headers: { location: '/v1/widgets/w%201/parts/p1' },
    });
    const response = await send('POST', '/api/v1/widgets/w%201/parts', {
      token: 'author',
      body: { name: 'gear' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ id: 'p1' });
    expect(response.headers.location).toBe('/api/v1/widgets/w%201/parts/p1');
    expect(posts.seen.at(-1)).toEqual({
      method: 'POST',
      path: '/v1/widgets/w%201/parts',
      body: { name: 'gear' },
      actor: AUTHOR,
    });
  });

  it('refuses an unknown body field with 400 problem+json naming it, before the service hears of it', async () => {
    const before = posts.seen.length;
    const response = await send('POST', '/api/v1/widgets/w1/parts', {
      token: 'author',
      body: { name: 'gear', colour: 'red' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      code: 'validation-failed',
      errors: [{ field: 'colour', reason: 'unknown field' }],
    });
    expect(posts.seen.length).toBe(before);
  });

  it('names a path parameter past its schema as path.<name>', async () => {
    const response = await send('GET', '/api/v1/widgets/much-too-long/parts');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ field: 'path.id' }] });
  });

  it('asks for a login (401) and for the role (403) the entry names', async () => {
    const anonymous = await send('POST', '/api/v1/widgets/w1/parts', { body: { name: 'gear' } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'unauthenticated' });
    const reader = await send('POST', '/api/v1/widgets/w1/parts', {
      token: 'reader',
      body: { name: 'gear' },
    });
    expect(reader.statusCode).toBe(403);
    expect(reader.json()).toMatchObject({ code: 'forbidden' });
    const anyAccount = await send('DELETE', '/api/v1/widgets/w1');
    expect(anyAccount.statusCode).toBe(401);
  });

  it('puts a write-limited, login-only route in the limit classes the rate limits read', async () => {
    await send('POST', '/api/v1/widgets/w1/parts', { token: 'author', body: { name: 'gear' } });
    await send('GET', '/api/v1/widgets/w1/parts');
    expect(routeConfigs['POST /api/v1/widgets/:id/parts']).toMatchObject({
      parleyLimit: 'writes',
      parleyAuthenticated: true,
    });
    expect(routeConfigs['GET /api/v1/widgets/:id/parts']).not.toHaveProperty('parleyLimit');
  });

  it("passes a bodiless answer on with the service's status", async () => {
    posts.answer({ status: 204 });
    const response = await send('DELETE', '/api/v1/widgets/w1', { token: 'reader' });
    expect(response.statusCode).toBe(204);
    expect(posts.seen.at(-1)).toEqual({ method: 'DELETE', path: '/v1/widgets/w1', actor: READER });
  });

  it('sends a list in the query as one comma-separated value, and no caller where the entry says so', async () => {
    posts.answer({ status: 200, body: { items: [] } });
    const response = await send('GET', '/api/v1/widgets/w1/parts?token=a&token=b&limit=3', {
      token: 'author',
    });
    expect(response.statusCode).toBe(200);
    expect(posts.seen.at(-1)).toEqual({
      method: 'GET',
      path: '/v1/widgets/w1/parts',
      query: { token: 'a,b', limit: 3 },
      actor: null,
    });
  });

  it("passes an unparsed answer on as the service's bytes, with the client's If-None-Match", async () => {
    comments.answer({ status: 200, body: { pages: 3 }, headers: { etag: '"7"' } });
    const response = await send('GET', '/api/v1/widgets/s1/sheet', {
      headers: { 'if-none-match': '"6"' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('{"pages":3}');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers.etag).toBe('"7"');
    expect(comments.seen.at(-1)).toEqual({
      method: 'GET',
      path: '/v1/sheets/s1',
      actor: null,
      headers: { 'if-none-match': '"6"' },
    });
    comments.answer({ status: 304, headers: { etag: '"7"' } });
    const unchanged = await send('GET', '/api/v1/widgets/s1/sheet', {
      headers: { 'if-none-match': '"7"' },
    });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');
  });

  it("gives a handler written by hand its entry's route, status and access, and forwards nothing", async () => {
    const before = posts.seen.length;
    const response = await send('POST', '/api/v1/widgets/w1/inspection', { token: 'reader' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ verdict: 'w1 is fine' });
    expect((await send('POST', '/api/v1/widgets/w1/inspection')).statusCode).toBe(401);
    expect(posts.seen.length).toBe(before);
  });

  it('describes each entry in the OpenAPI document as a written handler would be', () => {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder().addBearerAuth().build(),
    );
    const make = document.paths['/api/v1/widgets/{id}/parts']?.post;
    expect(make).toMatchObject({
      operationId: 'WidgetsController_make',
      summary: 'Make a part.',
      tags: ['Widgets'],
      security: [{ bearer: [] }],
      parameters: [{ name: 'id', in: 'path', required: true }],
    });
    expect(make?.requestBody).toBeDefined();
    expect(Object.keys(make?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '422', '429']),
    );
    const parts = document.paths['/api/v1/widgets/{id}/parts']?.get;
    expect(parts?.security).toBeUndefined();
    expect(parts?.parameters?.map((p) => ('name' in p ? p.name : ''))).toEqual([
      'id',
      'token',
      'limit',
    ]);
    // The If-None-Match the handler reads is not a documented parameter.
    expect(document.paths['/api/v1/widgets/{id}/sheet']?.get?.parameters).toHaveLength(1);
    expect(document.paths['/api/v1/widgets/{id}']?.delete?.responses['204']).toEqual({
      description: 'Scrapped',
    });
    expect(document.paths['/api/v1/widgets/{id}/inspection']?.post).toMatchObject({
      operationId: 'WidgetsController_inspect',
      summary: 'Inspect a widget, answered by the gateway itself.',
      security: [{ bearer: [] }],
      responses: { '200': { description: 'The verdict' } },
    });
  });
});
