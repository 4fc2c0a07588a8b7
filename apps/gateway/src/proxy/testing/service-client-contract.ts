import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Body, Controller, Get, Headers, HttpCode, Module, Post, Query, Res } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Actor } from '@parley/contracts';
import { CORRELATION_HEADER, runWithCorrelation } from '@parley/observability';
import {
  ACTOR_HEADER,
  CLIENT_HEADER,
  ORIGIN_AGENT_HEADER,
  ORIGIN_IP_HEADER,
  ProblemException,
  type ServiceTransport,
  createHttpApp,
  decodeActor,
} from '@parley/platform';
import type { FastifyReply } from 'fastify';
import pino from 'pino';
import { ServiceClient, passThrough } from '../service-client';

/** What the test service was asked and answers: its tagged thread changes when a test says so. */
interface ServiceState {
  etag: string;
  items: string[];
  asked: string[];
  slowMs: number;
}

const AMY: Actor = { accountId: 'amy', displayName: 'Amy', roles: ['reader'] };

/** A service on the same Nest/Fastify pipeline as Parley's (problem+json, correlation ids). */
async function testService(state: ServiceState): Promise<NestFastifyApplication> {
  @Controller('v1')
  class TestController {
    @Get('echo')
    echo(
      @Headers() headers: Record<string, string | undefined>,
      @Query() query: Record<string, string>,
    ) {
      return {
        actor: headers[ACTOR_HEADER] ? decodeActor(headers[ACTOR_HEADER]) : null,
        client: headers[CLIENT_HEADER] ?? null,
        ip: headers[ORIGIN_IP_HEADER] ?? null,
        agent: headers[ORIGIN_AGENT_HEADER] ?? null,
        correlation: headers[CORRELATION_HEADER] ?? null,
        query,
      };
    }

    @Post('things')
    @HttpCode(201)
    create(@Body() body: { name: string }, @Res({ passthrough: true }) reply: FastifyReply) {
      void reply.header('location', '/v1/things/t1');
      return { id: 't1', name: body.name };
    }

    @Get('thread')
    thread(
      @Headers('if-none-match') ifNoneMatch: string | undefined,
      @Res({ passthrough: true }) reply: FastifyReply,
    ) {
      state.asked.push(ifNoneMatch ?? '');
      void reply.header('etag', state.etag);
      if (ifNoneMatch === state.etag) {
        void reply.status(304);
        return undefined;
      }
      return { items: state.items };
    }

    @Get('refused')
    refused() {
      throw new ProblemException({
        status: 409,
        code: 'post-not-published',
        title: 'The post takes no comments yet',
        detail: 'Publish it first.',
        errors: [{ field: 'postId', reason: 'not published' }],
        extensions: { postId: 'p1' },
        headers: { 'retry-after': '3', location: '/v1/posts/p1' },
      });
    }

    @Get('broken')
    broken() {
      throw new Error('a bug in the service');
    }

    @Get('slow')
    async slow() {
      await new Promise((resolve) => setTimeout(resolve, state.slowMs));
      return { late: true };
    }

    @Get('page')
    page(@Res({ passthrough: true }) reply: FastifyReply) {
      void reply.header('content-type', 'text/html; charset=utf-8');
      return '<p>You are unsubscribed.</p>';
    }

    @Get('gone')
    gone(@Res({ passthrough: true }) reply: FastifyReply) {
      void reply.status(410).header('content-type', 'text/html; charset=utf-8');
      return '<p>This link has expired.</p>';
    }
  }
  @Module({ controllers: [TestController] })
  class TestModule {}
  return createHttpApp(TestModule, {
    service: 'comments',
    logger: pino({ level: 'silent' }),
  });
}

/** A transport to the app, made by the adapter under test; `close` ends what it opened. */
export interface TransportUnderTest {
  transport: ServiceTransport;
  /** The service goes away (its process stops): later calls find nobody. */
  stop(): Promise<void>;
}

/**
 * What every way of reaching a service must keep, whichever transport carries it: the caller's
 * headers, bodies both ways, kept anonymous answers with their ETags, a service's problem as
 * the gateway's own with its public Location, and 502 / 503 / 504 for a failing, absent or slow
 * service. Run against each adapter with `adapter` making its transport to the given app.
 */
export function serviceClientContract(
  name: string,
  adapter: (app: NestFastifyApplication) => Promise<TransportUnderTest>,
): void {
  describe(`the service client ${name}`, () => {
    let state: ServiceState;
    let app: NestFastifyApplication;
    let under: TransportUnderTest;
    let client: ServiceClient;

    beforeEach(async () => {
      state = { etag: '"v1"', items: ['first'], asked: [], slowMs: 0 };
      app = await testService(state);
      under = await adapter(app);
      client = new ServiceClient('comments', under.transport, 10_000, pino({ level: 'silent' }));
    });
    afterEach(async () => {
      await under.stop();
    });

    const problemOf = async (call: Promise<unknown>): Promise<ProblemException> => {
      const error = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ProblemException);
      return error as ProblemException;
    };

    it('tells the service who calls, from where, under which correlation id, with the query', async () => {
      const answer = await runWithCorrelation({ correlationId: 'corr-123' }, () =>
        client.call<Record<string, unknown>>({
          method: 'GET',
          path: '/v1/echo',
          query: { page: 2, empty: '', none: undefined, flag: true },
          actor: AMY,
          client: 'client-key',
          origin: { ip: '203.0.113.9', userAgent: 'Reader/1.0\u0007 (tests)' },
        }),
      );
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        actor: AMY,
        client: 'client-key',
        ip: '203.0.113.9',
        agent: 'Reader/1.0 (tests)',
        correlation: 'corr-123',
        query: { page: '2', flag: 'true' },
      });
      expect(answer.headers.get(CORRELATION_HEADER)).toBe('corr-123');
    });

    it('sends a JSON body and relays the status and the Location as the public path', async () => {
      const answer = await client.call<{ id: string; name: string }>({
        method: 'POST',
        path: '/v1/things',
        body: { name: 'a thing' },
        actor: AMY,
      });
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({ id: 't1', name: 'a thing' });
      const reply = { status: jest.fn(), header: jest.fn() };
      passThrough(reply, answer);
      expect(reply.status).toHaveBeenCalledWith(201);
      expect(reply.header).toHaveBeenCalledWith('location', '/api/v1/things/t1');
    });

    it('asks the service only whether a kept answer changed, and sends the whole answer to a new reader', async () => {
      const read = () => client.relay({ method: 'GET', path: '/v1/thread', actor: null });
      expect((await read()).status).toBe(200);
      const again = await read();
      expect(state.asked).toEqual(['', '"v1"']);
      expect(again.status).toBe(200);
      expect(JSON.parse(again.body?.toString() ?? '')).toEqual({ items: ['first'] });
      expect(again.headers.get('etag')).toBe('"v1"');
    });

    it('answers 304 to a reader who has the current answer, and the new one once it changed', async () => {
      const read = (ifNoneMatch: string) =>
        client.relay({
          method: 'GET',
          path: '/v1/thread',
          actor: null,
          headers: { 'if-none-match': ifNoneMatch },
        });
      await client.relay({ method: 'GET', path: '/v1/thread', actor: null });
      expect((await read('"v1"')).status).toBe(304);
      state.etag = '"v2"';
      state.items = ['first', 'second'];
      const changed = await read('"v1"');
      expect(changed.status).toBe(200);
      expect(changed.body?.toString()).toContain('second');
      expect(changed.headers.get('etag')).toBe('"v2"');
    });

    it('sends a kept answer compressed to a reader who accepts it, compressed once, with a weak tag of it', async () => {
      state.items = Array.from({ length: 200 }, (_, i) => `comment ${i} of a long thread`);
      const whole = JSON.stringify({ items: state.items });
      const read = (coding?: 'br' | 'gzip', ifNoneMatch?: string) =>
        client.relay(
          {
            method: 'GET',
            path: '/v1/thread',
            actor: null,
            ...(ifNoneMatch ? { headers: { 'if-none-match': ifNoneMatch } } : {}),
          },
          coding,
        );
      const plain = await read();
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect(plain.headers.get('vary')).toBe('accept-encoding');
      expect(plain.body?.toString()).toBe(whole);

      const gzipped = await read('gzip');
      expect(gzipped.headers.get('content-encoding')).toBe('gzip');
      expect(gzipped.headers.get('etag')).toBe('W/"v1"');
      expect(gunzipSync(gzipped.body!).toString()).toBe(whole);
      expect(gzipped.body!.length).toBeLessThan(whole.length / 4);
      expect((await read('gzip')).body).toBe(gzipped.body);

      const brotli = await read('br');
      expect(brotli.headers.get('content-encoding')).toBe('br');
      expect(brotliDecompressSync(brotli.body!).toString()).toBe(whole);

      // Either tag is the same answer for a reader who has it.
      expect((await read('gzip', 'W/"v1"')).status).toBe(304);
      expect((await read(undefined, 'W/"v1"')).status).toBe(304);
      expect((await read('gzip', '"v1"')).status).toBe(304);
      expect(state.asked.filter((asked) => asked === '')).toHaveLength(1);
    });

    it('sends a small kept answer, and a signed-in reader’s, as they are', async () => {
      expect(
        (
          await client.relay({ method: 'GET', path: '/v1/thread', actor: null }, 'gzip')
        ).headers.get('content-encoding'),
      ).toBeNull();
      state.items = Array.from({ length: 200 }, (_, i) => `comment ${i} of a long thread`);
      const signedIn = await client.relay(
        { method: 'GET', path: '/v1/thread', actor: AMY },
        'gzip',
      );
      expect(signedIn.headers.get('content-encoding')).toBeNull();
      expect(JSON.parse(signedIn.body?.toString() ?? '')).toEqual({ items: state.items });
    });

    it('keeps nothing of a signed-in reader’s answer', async () => {
      const asSignedIn = () => client.relay({ method: 'GET', path: '/v1/thread', actor: AMY });
      await asSignedIn();
      await asSignedIn();
      expect(state.asked).toEqual(['', '']);
    });

    it('turns the service’s problem into the gateway’s own, with its fields, extensions and public headers', async () => {
      const problem = await problemOf(
        client.call({ method: 'GET', path: '/v1/refused', actor: AMY }),
      );
      expect(problem.status).toBe(409);
      expect(problem.code).toBe('post-not-published');
      expect(problem.title).toBe('The post takes no comments yet');
      expect(problem.detail).toBe('Publish it first.');
      expect(problem.errors).toEqual([{ field: 'postId', reason: 'not published' }]);
      expect(problem.extensions).toEqual({ postId: 'p1' });
      expect(problem.headers).toEqual({ 'retry-after': '3', location: '/api/v1/posts/p1' });
    });

    it('refuses a relayed read with the same problem', async () => {
      const problem = await problemOf(
        client.relay({ method: 'GET', path: '/v1/refused', actor: null }),
      );
      expect(problem.status).toBe(409);
      expect(problem.code).toBe('post-not-published');
    });

    it('answers 502 when the service fails, 504 when it is too slow', async () => {
      const failed = await problemOf(
        client.call({ method: 'GET', path: '/v1/broken', actor: null }),
      );
      expect({ status: failed.status, code: failed.code }).toEqual({
        status: 502,
        code: 'service-error',
      });
      state.slowMs = 1000;
      const impatient = new ServiceClient(
        'comments',
        under.transport,
        200,
        pino({ level: 'silent' }),
      );
      const slow = await problemOf(
        impatient.call({ method: 'GET', path: '/v1/slow', actor: null }),
      );
      expect({ status: slow.status, code: slow.code }).toEqual({
        status: 504,
        code: 'service-timeout',
      });
    });

    it('passes an HTML answer on as text, and an HTML refusal too', async () => {
      const page = await client.callRaw({
        method: 'GET',
        path: '/v1/page',
        actor: null,
        accept: 'text/html',
      });
      expect(page).toEqual({
        status: 200,
        contentType: 'text/html; charset=utf-8',
        text: '<p>You are unsubscribed.</p>',
      });
      const gone = await client.callRaw({
        method: 'GET',
        path: '/v1/gone',
        actor: null,
        accept: 'text/html',
      });
      expect({ status: gone.status, text: gone.text }).toEqual({
        status: 410,
        text: '<p>This link has expired.</p>',
      });
    });

    it('answers 503 with Retry-After once the service is gone', async () => {
      await under.stop();
      const problem = await problemOf(
        client.call({ method: 'GET', path: '/v1/echo', actor: null }),
      );
      expect(problem.status).toBe(503);
      expect(problem.code).toBe('service-unavailable');
      expect(problem.headers['retry-after']).toBe('5');
    });
  });
}
