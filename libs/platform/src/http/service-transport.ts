import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** One request to a service as the service reads it: its path and query, headers and body text. */
export interface ServiceExchange {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path with its query string, e.g. `/v1/posts/p1/comments?page=2`. */
  path: string;
  headers: Readonly<Record<string, string>>;
  body?: string;
  /** How long the caller waits for the answer. */
  timeoutMs: number;
}

/** A service's answer, its body as the service wrote it. */
export interface ServiceAnswer {
  status: number;
  headers: Headers;
  bytes: Buffer;
}

/** The service gave no answer: it took longer than the caller waits, or it could not be reached. */
export class ServiceUnanswered extends Error {
  constructor(
    readonly reason: 'timeout' | 'unreachable',
    options?: ErrorOptions,
  ) {
    super(
      reason === 'timeout' ? 'The service did not answer in time' : 'The service is unreachable',
      options,
    );
    this.name = 'ServiceUnanswered';
  }
}

/**
 * How a caller's requests reach a service: over HTTP to another process, or into the service's
 * app in this one. Either way the service answers through its whole pipeline (validation,
 * guards, problem+json), so a caller cannot tell them apart but by speed.
 */
export interface ServiceTransport {
  /** Resolves with any status; rejects with ServiceUnanswered only. */
  exchange(request: ServiceExchange): Promise<ServiceAnswer>;
}

/** A timeout is reported by name: the abort reason is a DOMException, not always an Error of this realm. */
function isTimeout(error: unknown): boolean {
  return [error, (error as { cause?: unknown } | undefined)?.cause].some((e) => {
    const name = typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined;
    return name === 'TimeoutError' || name === 'AbortError';
  });
}

/** A service in another process, over HTTP (keep-alive). */
export class HttpServiceTransport implements ServiceTransport {
  constructor(private readonly baseUrl: string) {}

  async exchange(request: ServiceExchange): Promise<ServiceAnswer> {
    try {
      const response = await fetch(new URL(request.path, this.baseUrl), {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      const bytes = Buffer.from(await response.arrayBuffer());
      return { status: response.status, headers: response.headers, bytes };
    } catch (error) {
      throw new ServiceUnanswered(isTimeout(error) ? 'timeout' : 'unreachable', { cause: error });
    }
  }
}

/** An answer's headers as `fetch` gives them, from Node's outgoing header values. */
function headersOf(raw: Record<string, string | string[] | number | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const one of value) headers.append(name, one);
    else headers.set(name, String(value));
  }
  return headers;
}

/**
 * A service in this process: the request is handed to its Fastify instance without a socket
 * (`inject`), so it still runs the service's routing, hooks and Nest pipeline, and the answer
 * comes back as the bytes the service wrote. No HTTP is parsed on either side.
 */
export class InProcessServiceTransport implements ServiceTransport {
  constructor(private readonly app: NestFastifyApplication) {}

  async exchange(request: ServiceExchange): Promise<ServiceAnswer> {
    const fastify = this.app.getHttpAdapter().getInstance();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new ServiceUnanswered('timeout')), request.timeoutMs);
    });
    try {
      const response = await Promise.race([
        fastify.inject({
          method: request.method,
          url: request.path,
          headers: request.headers,
          ...(request.body !== undefined ? { payload: request.body } : {}),
        }),
        timedOut,
      ]);
      return {
        status: response.statusCode,
        headers: headersOf(response.headers),
        bytes: response.rawPayload,
      };
    } catch (error) {
      if (error instanceof ServiceUnanswered) throw error;
      throw new ServiceUnanswered('unreachable', { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
