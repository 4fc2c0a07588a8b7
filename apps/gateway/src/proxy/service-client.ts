import type { Actor } from '@parley/contracts';
import { CORRELATION_HEADER, currentCorrelation, injectTraceHeaders } from '@parley/observability';
import {
  ACTOR_HEADER,
  CLIENT_HEADER,
  type FieldError,
  ORIGIN_AGENT_HEADER,
  ORIGIN_IP_HEADER,
  ProblemException,
  type ServiceAnswer,
  type ServiceTransport,
  ServiceUnanswered,
  encodeActor,
} from '@parley/platform';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { Negotiator } from '@fastify/accept-negotiator';
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

/** How a kept answer may go compressed, in the order the gateway prefers them. */
type Coding = 'br' | 'gzip';

const brotli = promisify(brotliCompress);

const compress: Record<Coding, (bytes: Buffer) => Promise<Buffer>> = {
  // Quality 5: most of the gain of the best, at a small part of its time.
  br: (bytes) =>
    brotli(bytes, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: 5,
        [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      },
    }),
  gzip: promisify(gzip),
};

// No cache: its keys would be whatever headers clients send, without bound.
const codings = new Negotiator({ supportedValues: ['br', 'gzip', 'identity'] });

/** The compression a client's Accept-Encoding takes that the gateway offers, if any. */
export function codingFor(acceptEncoding: string | undefined): Coding | undefined {
  if (!acceptEncoding) return undefined;
  const coding = codings.negotiate(acceptEncoding);
  return coding === 'br' || coding === 'gzip' ? coding : undefined;
}

/** Kept answers smaller than this go as they are: compressing them saves too little. */
const COMPRESSED_FROM = 1024;

interface KeptRelay {
  etag: string;
  bytes: Buffer;
  /** The bytes compressed each way a client asked for, made once, off the event loop. */
  compressed: Partial<Record<Coding, Promise<Buffer>>>;
}

interface ProblemBody {
  status?: number;
  code?: string;
  title?: string;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const PASSED_HEADERS = ['retry-after', 'location', 'etag', 'content-encoding', 'vary'];

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

/** The service path with the request's query, as the service is asked it. */
function pathOf(request: ServiceRequest): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  const search = query.toString();
  if (!search) return request.path;
  return `${request.path}${request.path.includes('?') ? '&' : '?'}${search}`;
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
 * Calls a service through its transport (internal HTTP with keep-alive, or in process) with a
 * timeout on every call. The caller's account travels in the actor header, the correlation id
 * with it. A service's own problem (4xx) reaches the client as it is; an unreachable service is
 * a 503, a slow one a 504, a failing one a 502 — never a hang.
 */
export class ServiceClient {
  constructor(
    readonly name: ServiceName,
    private readonly transport: ServiceTransport,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Anonymous answers relayed with an ETag, by path and query, up to 32 MiB of them; each is
   * counted with room for its compressed copies (a compressed thread is about a tenth of it).
   */
  private readonly kept = new KeptAnswers<KeptRelay>(32 * 1024 * 1024, (answer) =>
    Math.ceil(answer.bytes.length * 1.25),
  );

  async call<T>(request: ServiceRequest): Promise<ServiceResponse<T>> {
    const answer = await this.exchange(request);
    const body =
      answer.bytes.length > 0 && (answer.headers.get('content-type') ?? '').includes('json')
        ? (JSON.parse(answer.bytes.toString('utf8')) as unknown)
        : undefined;
    return { status: answer.status, body: body as T, headers: answer.headers };
  }

  /**
   * Like `call`, but the service's JSON reaches the client as the service wrote it, unparsed:
   * for large answers the gateway only passes on (a 304 comes back with no body). An answer
   * the gateway keeps goes compressed to a client that accepts it (`coding`, from its
   * Accept-Encoding), compressed once per answer kept.
   */
  async relay(
    request: ServiceRequest,
    coding?: Coding,
  ): Promise<ServiceResponse<Buffer | undefined>> {
    const shared = request.method === 'GET' && request.actor === null;
    const slot = shared ? pathOf(request) : '';
    let kept = shared ? this.kept.get(slot, slot)?.value : undefined;
    const asked = request.headers?.['if-none-match'];
    // What an anonymous caller reads is asked for again only if it changed since the gateway kept it.
    const answer = await this.exchange(
      kept ? { ...request, headers: { ...request.headers, 'if-none-match': kept.etag } } : request,
    );
    if (!(kept && answer.status === 304)) {
      const etag = answer.headers.get('etag');
      kept =
        shared && answer.status === 200 && etag
          ? this.kept.set(slot, slot, { etag, bytes: answer.bytes, compressed: {} }).value
          : undefined;
      if (shared && !kept) this.kept.delete(slot);
      if (!kept)
        return {
          status: answer.status,
          body: answer.bytes.length > 0 ? answer.bytes : undefined,
          headers: answer.headers,
        };
    }
    const headers = new Headers(answer.headers);
    headers.set('vary', 'accept-encoding');
    const compressed = coding && kept.bytes.length >= COMPRESSED_FROM ? coding : undefined;
    // The compressed bytes are another representation of the same answer: a weak tag of it.
    headers.set('etag', compressed && !kept.etag.startsWith('W/') ? `W/${kept.etag}` : kept.etag);
    if (matchesEtag(asked, kept.etag)) return { status: 304, body: undefined, headers };
    if (!compressed) return { status: 200, body: kept.bytes, headers };
    headers.set('content-encoding', compressed);
    return { status: 200, body: await this.compressed(kept, compressed), headers };
  }

  private compressed(kept: KeptRelay, coding: Coding): Promise<Buffer> {
    let bytes = kept.compressed[coding];
    if (!bytes) {
      bytes = compress[coding](kept.bytes);
      kept.compressed[coding] = bytes;
      // A failure is not kept: the next reader asks again.
      bytes.catch(() => delete kept.compressed[coding]);
    }
    return bytes;
  }

  /** Like `call`, for answers that are not JSON (an HTML page): the text and its content type. */
  async callRaw(
    request: ServiceRequest & { accept: string; contentType?: string; rawBody?: string },
  ): Promise<{
    status: number;
    contentType: string;
    text: string;
  }> {
    const { accept, contentType, rawBody, ...rest } = request;
    const answer = await this.send(rest, { accept }, rawBody, contentType ?? 'text/plain', false);
    return {
      status: answer.status,
      contentType: answer.headers.get('content-type') ?? 'text/plain',
      text: answer.bytes.toString('utf8'),
    };
  }

  private exchange(request: ServiceRequest): Promise<ServiceAnswer> {
    return this.send(
      request,
      { accept: 'application/json' },
      request.body === undefined ? undefined : JSON.stringify(request.body),
      'application/json',
      true,
    );
  }

  /**
   * One exchange with the service, its failures mapped for the client: no answer is 503 or 504,
   * a 5xx is 502, and a problem+json refusal becomes the gateway's own problem about the client's
   * path (with the headers it must follow). `anyRefusal` maps a refusal in another type too.
   */
  private async send(
    request: ServiceRequest,
    base: Record<string, string>,
    body: string | undefined,
    contentType: string,
    anyRefusal: boolean,
  ): Promise<ServiceAnswer> {
    const path = pathOf(request);
    const headers: Record<string, string> = { ...base, ...(request.headers ?? {}) };
    const correlation = currentCorrelation();
    if (correlation) headers[CORRELATION_HEADER] = correlation.correlationId;
    if (request.actor) headers[ACTOR_HEADER] = encodeActor(request.actor);
    if (request.client) headers[CLIENT_HEADER] = request.client;
    setOriginHeaders(headers, request.origin);
    if (body !== undefined) headers['content-type'] = contentType;
    injectTraceHeaders(headers);

    let answer: ServiceAnswer;
    try {
      answer = await this.transport.exchange({
        method: request.method,
        path,
        headers,
        ...(body !== undefined ? { body } : {}),
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      const timedOut = error instanceof ServiceUnanswered && error.reason === 'timeout';
      this.logger.warn(
        { err: error, service: this.name, path: path.split('?')[0] },
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
    if (answer.status >= 500) {
      this.logger.error(
        { service: this.name, path: path.split('?')[0], status: answer.status },
        'service failed',
      );
      throw new ProblemException({
        status: 502,
        code: 'service-error',
        title: `The ${this.name} service failed`,
        detail: 'The error was logged; try again later.',
      });
    }
    if (
      answer.status >= 400 &&
      (anyRefusal || (answer.headers.get('content-type') ?? '').includes('json'))
    )
      throw this.problemOf(answer, parseProblem(answer.bytes.toString('utf8')));
    return answer;
  }

  private problemOf(answer: ServiceAnswer, body: ProblemBody | undefined): ProblemException {
    const headers = relayedHeaders(answer.headers);
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
      status: answer.status,
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
