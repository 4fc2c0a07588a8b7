import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AccountView, Actor, InboxResponse, TokensResponse } from '@parley/contracts';
import { CLOCK, type Clock } from '@parley/platform';
import { KeptAnswers } from '@parley/readmodel';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdentityService } from '../identity/identity.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
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
    const kept = shared ? this.shared.get(slot, slot) : undefined;
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
        ...(kept ? { 'if-none-match': kept.value.etag } : {}),
      },
      ...(input.body !== undefined ? { payload: JSON.stringify(input.body) } : {}),
    });
    if (kept && response.statusCode === 304)
      return { status: 200, body: kept.value.body as T, headers: response.headers };
    const text = response.body;
    const json =
      text && String(response.headers['content-type'] ?? '').includes('json')
        ? (JSON.parse(text) as T)
        : (undefined as T);
    const etag = response.headers.etag;
    if (shared && response.statusCode === 200 && typeof etag === 'string')
      this.shared.set(slot, slot, { etag, body: json, size: text.length });
    else if (shared) this.shared.delete(slot);
    return { status: response.statusCode, body: json, headers: response.headers };
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
    const [me, inbox] = await Promise.all([
      this.call<AccountView>(request, { method: 'GET', path: '/api/v1/me' }),
      this.call<InboxResponse>(request, {
        method: 'GET',
        path: '/api/v1/notifications',
        query: { limit: 1 },
      }),
    ]);
    return {
      actor,
      ...(me.status === 200 ? { emailVerified: me.body.emailVerified } : {}),
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
