import type { Actor } from '@parley/contracts';
import { CORRELATION_HEADER, currentCorrelation, injectTraceHeaders } from '@parley/observability';
import {
  ACTOR_HEADER,
  CLIENT_HEADER,
  type FieldError,
  ORIGIN_AGENT_HEADER,
  ORIGIN_IP_HEADER,
  ProblemException,
  encodeActor,
} from '@parley/platform';
import { KeptAnswers, matchesEtag } from '@parley/readmodel';
import type { Logger } from 'pino';

export type ServiceName = 'posts' | 'comments' | 'notifications';

export interface ServiceRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  actor: Actor | null;
  /** The caller's client key (never its address), for rules that apply per client. */
  client?: string;
  /** The writer's address and user agent, for the moderators of what the call writes. */
  origin?: { ip: string; userAgent: string | undefined };
  headers?: Record<string, string>;
}

export interface ServiceResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

interface ProblemBody {
  status?: number;
  code?: string;
  title?: string;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const PASSED_HEADERS = ['retry-after', 'location', 'etag'];

/** The services answer under `/v1/…`; the gateway publishes the same resources under `/api/v1/…`. */
const SERVICE_PREFIX = '/v1/';
const PUBLIC_PREFIX = '/api';
const SERVICE_ORIGIN = 'http://service.invalid';

/** A service's Location as the client must follow it: its public path, or nothing. */
export function publicLocation(location: string): string | undefined {
  let url: URL;
  try {
    url = new URL(location, SERVICE_ORIGIN);
  } catch {
    return undefined;
  }
  if (url.origin !== SERVICE_ORIGIN || !url.pathname.startsWith(SERVICE_PREFIX)) return undefined;
  return `${PUBLIC_PREFIX}${url.pathname}${url.search}${url.hash}`;
}

/** Control characters would make a header fetch refuses; the rest of a user agent goes as it came. */
function setOriginHeaders(headers: Record<string, string>, origin: ServiceRequest['origin']): void {
  if (!origin) return;
  headers[ORIGIN_IP_HEADER] = origin.ip;
  // eslint-disable-next-line no-control-regex
  const agent = origin.userAgent?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (agent) headers[ORIGIN_AGENT_HEADER] = agent;
}

function parseProblem(text: string): ProblemBody | undefined {
  try {
    return text ? (JSON.parse(text) as ProblemBody) : undefined;
  } catch {
    return undefined;
  }
}

/** The headers of a service's answer that the client gets, with internal paths made public. */
function relayedHeaders(headers: Headers): Record<string, string> {
  const relayed: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = headers.get(name);
    if (!value) continue;
    const passed = name === 'location' ? publicLocation(value) : value;
    if (passed) relayed[name] = passed;
  }
  return relayed;
}

/**
 * Calls a service over internal HTTP (keep-alive) with a timeout on every call. The
 * caller's account travels in the actor header, the correlation id with it. A service's
 * own problem (4xx) reaches the client as it is; an unreachable service is a 503, a slow
 * one a 504, a failing one a 502 — never a hang.
 */
export class ServiceClient {
  constructor(
    readonly name: ServiceName,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** Anonymous answers relayed with an ETag, by URL, up to 32 MiB of them. */
  private readonly kept = new KeptAnswers<{ etag: string; bytes: Buffer }>(
    32 * 1024 * 1024,
    (answer) => answer.bytes.length,
  );

  async call<T>(request: ServiceRequest): Promise<ServiceResponse<T>> {
    const { response, bytes } = await this.exchange(request);
    const text = bytes.toString('utf8');
    const body =
      text.length > 0 && (response.headers.get('content-type') ?? '').includes('json')
        ? (JSON.parse(text) as unknown)
        : undefined;
    return { status: response.status, body: body as T, headers: response.headers };
  }

  /**
   * Like `call`, but the service's JSON reaches the client as the service wrote it, unparsed:
   * for large answers the gateway only passes on (a 304 comes back with no body).
   */
  async relay(request: ServiceRequest): Promise<ServiceResponse<Buffer | undefined>> {
    const shared = request.method === 'GET' && request.actor === null;
    const slot = shared ? this.urlOf(request).toString() : '';
    const kept = shared ? this.kept.get(slot, slot) : undefined;
    const asked = request.headers?.['if-none-match'];
    // What an anonymous caller reads is asked for again only if it changed since the gateway kept it.
    const { response, bytes } = await this.exchange(
      kept
        ? { ...request, headers: { ...request.headers, 'if-none-match': kept.value.etag } }
        : request,
    );
    if (kept && response.status === 304) {
      const headers = new Headers(response.headers);
      headers.set('etag', kept.value.etag);
      const unchanged = matchesEtag(asked, kept.value.etag);
      return {
        status: unchanged ? 304 : 200,
        body: unchanged ? undefined : kept.value.bytes,
        headers,
      };
    }
    const etag = response.headers.get('etag');
    if (shared && response.status === 200 && etag) this.kept.set(slot, slot, { etag, bytes });
    else if (shared) this.kept.delete(slot);
    if (shared && response.status === 200 && matchesEtag(asked, etag ?? ''))
      return { status: 304, body: undefined, headers: response.headers };
    return {
      status: response.status,
      body: bytes.length > 0 ? bytes : undefined,
      headers: response.headers,
    };
  }

  private urlOf(request: ServiceRequest): URL {
    const url = new URL(request.path, this.baseUrl);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined && value !== null && value !== '')
        url.searchParams.set(key, String(value));
    }
    return url;
  }

  private async exchange(request: ServiceRequest): Promise<{ response: Response; bytes: Buffer }> {
    const url = this.urlOf(request);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(request.headers ?? {}),
    };
    const correlation = currentCorrelation();
    if (correlation) headers[CORRELATION_HEADER] = correlation.correlationId;
    if (request.actor) headers[ACTOR_HEADER] = encodeActor(request.actor);
    if (request.client) headers[CLIENT_HEADER] = request.client;
    setOriginHeaders(headers, request.origin);
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    injectTraceHeaders(headers);

    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method,
        headers,
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      // Checked by name: the abort reason is a DOMException, not always an Error of this realm.
      const timedOut = [error, (error as { cause?: unknown }).cause].some((e) => {
        const name =
          typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined;
        return name === 'TimeoutError' || name === 'AbortError';
      });
      this.logger.warn(
        { err: error, service: this.name, path: url.pathname },
        timedOut ? 'service call timed out' : 'service unreachable',
      );
      throw new ProblemException(
        timedOut
          ? {
              status: 504,
              code: 'service-timeout',
              title: `The ${this.name} service did not answer in time`,
              detail: 'Try again in a moment.',
            }
          : {
              status: 503,
              code: 'service-unavailable',
              title: `The ${this.name} service is unavailable`,
              detail: 'Try again in a moment.',
              headers: { 'retry-after': '5' },
            },
      );
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    if (response.status >= 500) {
      this.logger.error(
        { service: this.name, path: url.pathname, status: response.status },
        'service failed',
      );
      throw new ProblemException({
        status: 502,
        code: 'service-error',
        title: `The ${this.name} service failed`,
        detail: 'The error was logged; try again later.',
      });
    }
    if (response.status >= 400)
      throw this.problemOf(response, parseProblem(bytes.toString('utf8')));
    return { response, bytes };
  }

  /** Like `call`, for answers that are not JSON (an HTML page): the text and its content type. */
  async callRaw(
    request: ServiceRequest & { accept: string; contentType?: string; rawBody?: string },
  ): Promise<{
    status: number;
    contentType: string;
    text: string;
  }> {
    const url = new URL(request.path, this.baseUrl);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined && value !== null && value !== '')
        url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: request.accept };
    const correlation = currentCorrelation();
    if (correlation) headers[CORRELATION_HEADER] = correlation.correlationId;
    if (request.actor) headers[ACTOR_HEADER] = encodeActor(request.actor);
    if (request.client) headers[CLIENT_HEADER] = request.client;
    setOriginHeaders(headers, request.origin);
    if (request.rawBody !== undefined)
      headers['content-type'] = request.contentType ?? 'text/plain';
    injectTraceHeaders(headers);
    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method,
        headers,
        ...(request.rawBody !== undefined ? { body: request.rawBody } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw new ProblemException({
        status: 503,
        code: 'service-unavailable',
        title: `The ${this.name} service is unavailable`,
        headers: { 'retry-after': '5' },
      });
    }
    if (response.status >= 500) {
      throw new ProblemException({
        status: 502,
        code: 'service-error',
        title: `The ${this.name} service failed`,
      });
    }
    const contentType = response.headers.get('content-type') ?? 'text/plain';
    // A refusal comes back as the gateway's own problem, about the client's path, not the service's.
    if (response.status >= 400 && contentType.includes('json')) {
      throw this.problemOf(response, parseProblem(await response.text()));
    }
    return {
      status: response.status,
      contentType,
      text: await response.text(),
    };
  }

  private problemOf(response: Response, body: ProblemBody | undefined): ProblemException {
    const headers = relayedHeaders(response.headers);
    const {
      type: _type,
      title,
      status: _status,
      detail,
      instance: _instance,
      code,
      correlationId: _correlationId,
      errors,
      ...extensions
    } = body ?? {};
    return new ProblemException({
      status: response.status,
      code: code ?? 'bad-request',
      title: title ?? `The ${this.name} service refused the request`,
      ...(detail !== undefined ? { detail } : {}),
      ...(errors !== undefined ? { errors } : {}),
      extensions,
      headers,
    });
  }
}

/** Mirrors a service's answer on the gateway's reply: status and the headers a client needs. */
export function passThrough<T>(
  reply: { status(code: number): unknown; header(name: string, value: string): unknown },
  response: ServiceResponse<T>,
): T {
  reply.status(response.status);
  for (const [name, value] of Object.entries(relayedHeaders(response.headers)))
    reply.header(name, value);
  return response.body;
}
