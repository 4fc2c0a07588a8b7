import type { DynamicModule, INestApplication, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Span } from '@opentelemetry/api';
import {
  CORRELATION_HEADER,
  SpanKind,
  contextFromHeaders,
  correlationIdFrom,
  markSpanError,
  metrics,
  routeLabel,
  runInSpan,
  runWithCorrelation,
  startSpan,
} from '@parley/observability';
import { ProblemException } from '../http/problem';
import { ProblemFilter, sendProblem, writeClientErrorProblem } from '../http/problem.filter';
import { ProblemValidationPipe } from '../http/validation';

export interface HttpAppOptions {
  /** The service name in metrics. */
  service: string;
  logger: Logger;
  /** Largest accepted request body in bytes; larger ones get 413. */
  bodyLimit?: number;
  /** Paths whose requests are not logged (health probes). */
  quietPaths?: string[];
  /** Proxies whose X-Forwarded-For / X-Forwarded-Proto set request.ip and request.protocol. */
  trustProxy?: boolean | number | string[];
}

/** Nest's own messages (module init, route map) through the service's pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}

/**
 * The server's own limits on a request's path and head. They are far above every documented
 * length (ids and tokens are validated at a few hundred characters, with a 400 naming the
 * field), so a request the document allows never meets them; past them the answer is 414 or
 * 431 problem+json.
 */
export const HTTP_LIMITS = {
  /** Characters of one path parameter, decoded. */
  maxParamLength: 1000,
  /** Bytes of the request line and headers together. */
  maxHeaderSize: 64 * 1024,
} as const;

export interface RunningHttpApp {
  app: NestFastifyApplication;
  /** Base URL the app answers on, e.g. http://127.0.0.1:3001 */
  url: string;
}

export interface RegisteredRoute {
  method: string;
  url: string;
}

const ROUTES = new WeakMap<object, RegisteredRoute[]>();

/** Every route the application's HTTP server answers, as Fastify registered it. */
export function registeredRoutes(app: NestFastifyApplication): readonly RegisteredRoute[] {
  return ROUTES.get(app) ?? [];
}

/** The methods each concrete path answers, from the registered routes (wildcard routes aside). */
function pathMethods(routes: readonly RegisteredRoute[]): (path: string) => string[] {
  let compiled: { pattern: RegExp; method: string }[] | undefined;
  let compiledFor = -1;
  return (path) => {
    if (!compiled || compiledFor !== routes.length) {
      compiled = routes
        .filter((route) => !route.url.includes('*'))
        .map((route) => ({
          method: route.method,
          pattern: new RegExp(
            `^${route.url
              .split('/')
              .map((part) =>
                part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
              )
              .join('/')}/?$`,
          ),
        }));
      compiledFor = routes.length;
    }
    return [...new Set(compiled.filter((r) => r.pattern.test(path)).map((r) => r.method))].sort();
  };
}

/** A hop count trusts that many proxies nearest to the server, whatever their address. */
function fastifyTrustProxy(
  trust: boolean | number | string[],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/**
 * Creates a Nest application on Fastify with Parley's HTTP conventions: correlation ids,
 * one log line per request, problem+json errors, schema validation, body limits.
 */
export async function createHttpApp(
  module: Type<unknown> | DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) =>
      correlationIdFrom(req.headers[CORRELATION_HEADER]),
    requestIdHeader: false,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { maxParamLength: HTTP_LIMITS.maxParamLength },
    http: { maxHeaderSize: HTTP_LIMITS.maxHeaderSize },
    // Errors of Fastify's router and of the HTTP parser are problems like any other.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(error, request, reply, options.logger),
    clientErrorHandler: writeClientErrorProblem,
    trustProxy: fastifyTrustProxy(options.trustProxy ?? false),
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: new PinoNestLogger(options.logger),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  const routes: RegisteredRoute[] = [];
  ROUTES.set(app, routes);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  const methodsOf = pathMethods(routes);
  // A known path asked with a method it does not take is 405 with Allow, not 404.
  fastify.addHook('onRequest', async (request) => {
    if (!request.is404) return;
    const allowed = methodsOf(request.url.split('?')[0] ?? request.url);
    if (allowed.length === 0) return;
    throw new ProblemException({
      status: 405,
      code: 'method-not-allowed',
      title: 'This path does not take this method',
      detail: `${request.method} is not one of ${allowed.join(', ')}`,
      headers: { allow: allowed.join(', ') },
    });
  });
  const quiet = new Set(options.quietPaths ?? ['/health/live', '/health/ready']);
  const spans = new WeakMap<object, Span>();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(CORRELATION_HEADER, request.id);
    const parent = contextFromHeaders(request.headers);
    const span = startSpan(
      `${request.method} ${routeLabel(request.routeOptions.url)}`,
      SpanKind.SERVER,
      parent,
      {
        'http.request.method': request.method,
        'http.route': routeLabel(request.routeOptions.url),
        'parley.correlation_id': String(request.id),
      },
    );
    spans.set(request, span);
    runInSpan(span, parent, () => runWithCorrelation({ correlationId: String(request.id) }, done));
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) markSpanError(span);
      span.end();
    }
    const path = request.url.split('?')[0] ?? request.url;
    metrics.httpDuration.observe(
      {
        service: options.service,
        method: request.method,
        route: routeLabel(request.routeOptions.url),
        status: String(reply.statusCode),
      },
      reply.elapsedTime,
    );
    if (!quiet.has(path)) {
      options.logger.info(
        {
          correlationId: request.id,
          method: request.method,
          path,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'http request',
      );
    }
    done();
  });
  app.useGlobalFilters(new ProblemFilter(options.logger));
  app.useGlobalPipes(new ProblemValidationPipe());
  return app;
}

export async function listen(
  app: NestFastifyApplication,
  host: string,
  port: number,
): Promise<RunningHttpApp> {
  await app.listen(port, host);
  const address = app.getHttpServer().address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { app, url: `http://${shownHost}:${actualPort}` };
}

export type AnyNestApp = INestApplication;
