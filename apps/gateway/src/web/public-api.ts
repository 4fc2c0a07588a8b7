import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  NOTIFICATION_ROUTES,
  type Actor,
  type RouteAnswerBody,
  type RouteEntry,
  type RouteRequest,
  type TokensResponse,
  fillPath,
  servicePathOf,
} from '@parley/contracts';
import {
  CLOCK,
  type Clock,
  type FieldError,
  ProblemException,
  bodyProblem,
  issuesToFieldErrors,
  validationProblem,
} from '@parley/platform';
import { KeptAnswers } from '@parley/readmodel';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { requireRole, unauthenticated } from '../auth/authentication.guard';
import { IdentityService } from '../identity/identity.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { forwardedQuery } from '../proxy/routed-controller';
import type { ServiceClient, ServiceRequest, ServiceResponse } from '../proxy/service-client';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';
import type { Viewer } from './views/layout';
import { COOKIES, clearSessionCookies, setSessionCookies } from './web-session';

export interface ApiAnswer<T> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

type WebRequest = FastifyRequest & {
  parleyAccessToken?: string | null;
  parleyViewer?: Actor | null;
};

/**
 * The reader page reads and writes through the public API only: each call goes through
 * the gateway's own HTTP pipeline (validation, authentication, rate limits, idempotency),
 * in process, as the visitor (their access token and their address).
 */
@Injectable()
export class PublicApi {
  constructor(
    private readonly host: HttpAdapterHost,
    private readonly identity: IdentityService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    @Inject(SERVICE_CLIENTS) private readonly services: ServiceClients,
  ) {}

  /** Anonymous answers that carried an ETag, parsed, by path: the pages read them, never change them. */
  private readonly shared = new KeptAnswers<{ etag: string; body: unknown; size: number }>(
    16 * 1024 * 1024,
    (answer) => answer.size,
  );

  async call<T>(
    request: FastifyRequest,
    input: {
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      path: string;
      query?: Record<string, string | number | undefined>;
      body?: unknown;
      headers?: Record<string, string>;
    },
  ): Promise<ApiAnswer<T>> {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    const query = Object.fromEntries(
      Object.entries(input.query ?? {})
        .filter(([, v]) => v !== undefined && v !== '')
        .map(([k, v]) => [k, String(v)]),
    );
    const token = (request as WebRequest).parleyAccessToken;
    // What every anonymous visitor reads alike is asked for again only if it changed.
    const shared = input.method === 'GET' && !token && input.headers === undefined;
    const slot = shared ? `${input.path}?${new URLSearchParams(query).toString()}` : '';
    return this.keptRead<T, ApiAnswer<T>['headers']>(slot, async (etag) => {
      const response = await fastify.inject({
        method: input.method,
        url: input.path,
        query,
        remoteAddress: request.ip,
        headers: {
          accept: 'application/json',
          'x-correlation-id': String(request.id),
          // The visitor's browser, not the in-process call, is who wrote what the page sends.
          ...(request.headers['user-agent'] ? { 'user-agent': request.headers['user-agent'] } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(input.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(input.headers ?? {}),
          ...(etag ? { 'if-none-match': etag } : {}),
        },
        ...(input.body !== undefined ? { payload: JSON.stringify(input.body) } : {}),
      });
      const tag = response.headers.etag;
      return {
        status: response.statusCode,
        text: response.body,
        json: String(response.headers['content-type'] ?? '').includes('json'),
        etag: typeof tag === 'string' ? tag : undefined,
        headers: response.headers,
      };
    });
  }

  /**
   * An answer kept parsed in `slot` ('' keeps nothing) by its ETag: asked for again with that
   * tag, and parsed again only when it changed (a 304 gives back the kept body).
   */
  private async keptRead<T, H>(
    slot: string,
    ask: (etag: string | undefined) => Promise<{
      status: number;
      text: string;
      json: boolean;
      etag: string | undefined;
      headers: H;
    }>,
  ): Promise<{ status: number; body: T; headers: H }> {
    const kept = slot ? this.shared.get(slot, slot) : undefined;
    const answer = await ask(kept?.value.etag);
    if (kept && answer.status === 304)
      return { status: 200, body: kept.value.body as T, headers: answer.headers };
    const body = (answer.text && answer.json ? JSON.parse(answer.text) : undefined) as T;
    if (slot && answer.status === 200 && answer.etag)
      this.shared.set(slot, slot, { etag: answer.etag, body, size: answer.text.length });
    else if (slot) this.shared.delete(slot);
    return { status: answer.status, body, headers: answer.headers };
  }

  /**
   * A read of a route the gateway only forwards, asked of the service that owns it through the
   * gateway's client, as the visitor: the route's schemas check what the page asks and its access
   * rule who asks, as the gateway's own route would, without a second pass through the gateway's
   * pipeline. A refusal is an answer with its problem, as from `call`.
   */
  async read<R extends RouteEntry & { method: 'GET' }>(
    request: FastifyRequest,
    reply: FastifyReply,
    route: R,
    input: RouteRequest<R>,
    /** Read as anyone reads it (no account, no viewer token): the answer every visitor shares. */
    options: { asAnyone?: boolean } = {},
  ): Promise<ApiAnswer<RouteAnswerBody<R>>> {
    if (route.service === 'gateway') throw new Error(`${route.path} is the gateway's own route`);
    const actor = options.asAnyone ? null : await this.viewer(request, reply);
    const client = this.services[route.service];
    return answered(async () => {
      const asked = serviceRequestOf(route, input, actor);
      if (!route.passedUnparsed) return answerOf(await client.call<RouteAnswerBody<R>>(asked));
      return this.readKept<RouteAnswerBody<R>>(client, asked);
    });
  }

  /**
   * A change through a route the gateway only forwards, asked of the service that owns it through
   * the gateway's client, as the visitor, checked as `read` checks a read: the route's schemas
   * (the body too), then its access rule. A refusal is an answer with its problem. A route whose
   * gateway handler does more than forward is sent `through` what that handler does.
   */
  async send<R extends RouteEntry>(
    request: FastifyRequest,
    reply: FastifyReply,
    route: R,
    input: RouteRequest<R>,
    through?: (asked: ServiceRequest) => Promise<ServiceResponse<unknown>>,
  ): Promise<ApiAnswer<RouteAnswerBody<R>>> {
    if (route.service === 'gateway') throw new Error(`${route.path} is the gateway's own route`);
    const actor = await this.viewer(request, reply);
    const client = this.services[route.service];
    return answered(async () => {
      const asked = serviceRequestOf(route, input, actor);
      if (!through) return answerOf(await client.call<RouteAnswerBody<R>>(asked));
      return answerOf((await through(asked)) as ServiceResponse<RouteAnswerBody<R>>);
    });
  }

  /** A large answer: kept parsed for anonymous visitors by its tag, parsed again only when it changed. */
  private async readKept<T>(client: ServiceClient, asked: ServiceRequest): Promise<ApiAnswer<T>> {
    const slot = asked.actor === null ? JSON.stringify([asked.path, asked.query ?? {}]) : '';
    const answer = await this.keptRead<T, Headers>(slot, async (etag) => {
      const relayed = await client.relay({
        ...asked,
        ...(etag ? { headers: { 'if-none-match': etag } } : {}),
      });
      return {
        status: relayed.status,
        text: relayed.body?.toString('utf8') ?? '',
        json: true,
        etag: relayed.headers.get('etag') ?? undefined,
        headers: relayed.headers,
      };
    });
    return answerOf(answer);
  }

  /** The logged-in visitor, refreshing an expired access token with the refresh cookie. */
  async viewer(request: FastifyRequest, reply: FastifyReply): Promise<Actor | null> {
    const web = request as WebRequest;
    if (web.parleyViewer !== undefined) return web.parleyViewer;
    const access = request.cookies[COOKIES.access];
    const claims = access ? await this.identity.verifyAccess(access) : null;
    if (claims && access) {
      web.parleyAccessToken = access;
      web.parleyViewer = {
        accountId: claims.accountId,
        displayName: claims.displayName,
        roles: claims.roles,
      };
      return web.parleyViewer;
    }
    const refreshToken = request.cookies[COOKIES.refresh];
    web.parleyViewer = null;
    web.parleyAccessToken = null;
    if (!refreshToken) return null;
    const refreshed = await this.call<TokensResponse>(request, {
      method: 'POST',
      path: '/api/v1/auth/refresh',
      body: { refreshToken },
    });
    if (refreshed.status !== 200) {
      clearSessionCookies(reply);
      return null;
    }
    this.startSession(request, reply, refreshed.body);
    return web.parleyViewer;
  }

  /**
   * The visitor as the frame of every page shows them: whether their address is verified
   * (no mail reaches them until it is) and their unread notifications.
   */
  async pageViewer(request: FastifyRequest, reply: FastifyReply): Promise<Viewer | null> {
    const actor = await this.viewer(request, reply);
    if (!actor) return null;
    // The account from the gateway's own identity, asked directly: it is the visitor's own.
    const [me, inbox] = await Promise.all([
      this.identity.me(actor.accountId),
      this.read(request, reply, NOTIFICATION_ROUTES.routes.inbox, { query: { limit: 1 } }),
    ]);
    return {
      actor,
      ...(me.ok ? { emailVerified: me.value.emailVerified } : {}),
      ...(inbox.status === 200 ? { unread: inbox.body.unreadCount } : {}),
    };
  }

  /** Keeps the tokens of a login in cookies and uses them for the rest of this request. */
  startSession(request: FastifyRequest, reply: FastifyReply, tokens: TokensResponse): void {
    setSessionCookies(request, reply, tokens, this.options.auth.refreshTtlDays);
    const web = request as WebRequest;
    web.parleyAccessToken = tokens.accessToken;
    web.parleyViewer = {
      accountId: tokens.account.id,
      displayName: tokens.account.displayName,
      roles: tokens.account.roles,
    };
  }
}

/** The answer `ask` gives, or the problem it throws as an answer, as from the public API. */
async function answered<T>(ask: () => Promise<ApiAnswer<T>>): Promise<ApiAnswer<T>> {
  try {
    return await ask();
  } catch (error) {
    if (!(error instanceof ProblemException)) throw error;
    return {
      status: error.status,
      body: error.toDocument(undefined, undefined) as T,
      headers: error.headers,
    };
  }
}

/** A service's answer as the pages read the public API's. */
function answerOf<T>(answer: ServiceResponse<T>): ApiAnswer<T> {
  return {
    status: answer.status,
    body: answer.body,
    headers: Object.fromEntries(answer.headers.entries()),
  };
}

/**
 * What the route's service is asked for a page's read or change, once the route's access rule and
 * schemas accept it (else a 401, 403, 400 or 422 problem naming each field, as the gateway's
 * route answers).
 */
function serviceRequestOf<R extends RouteEntry>(
  route: R,
  input: RouteRequest<R>,
  actor: Actor | null,
): ServiceRequest {
  if (route.access !== 'anyone') {
    if (!actor) throw unauthenticated('Log in to see this');
    requireRole(actor, route.access.roles);
  }
  const errors: FieldError[] = [];
  const valid = <T>(schema: z.ZodType<T>, value: unknown, field: string): T | undefined => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) errors.push(...issuesToFieldErrors(parsed.error.issues, field));
    return parsed.data;
  };
  const given = (input.params ?? {}) as Record<string, unknown>;
  const params: Record<string, string> = {};
  for (const [name, schema] of Object.entries(route.params ?? {}))
    params[name] = valid(schema, given[name], `path.${name}`) ?? '';
  // The query as a client sends it: a list as its comma-separated text.
  const query = route.query
    ? valid(route.query, forwardedQuery((input.query ?? {}) as Record<string, unknown>), 'query')
    : undefined;
  if (errors.length > 0) throw validationProblem(errors);
  const body = route.body ? validBody(route.body, (input as { body?: unknown }).body) : undefined;
  return {
    method: route.method,
    path: fillPath(servicePathOf(route), params),
    ...(query === undefined ? {} : { query: forwardedQuery(query as Record<string, unknown>) }),
    ...(route.body ? { body } : {}),
    actor: route.anonymousCall ? null : actor,
  };
}

/** A body as the route's schema takes it, or the problem the gateway's route answers. */
function validBody(schema: z.ZodType, value: unknown): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw bodyProblem(parsed.error.issues);
}
