import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { type Observable, throwError } from 'rxjs';
import { PROBLEM_CONTENT_TYPE, ProblemException, kebabCode } from './problem';

const STATUS_CODES: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  409: 'conflict',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  429: 'too-many-requests',
  502: 'bad-gateway',
  503: 'service-unavailable',
  504: 'gateway-timeout',
};

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

function fromFastifyError(error: FastifyLikeError): ProblemException | undefined {
  const status = error.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    error instanceof SyntaxError
  ) {
    return new ProblemException({
      status: 400,
      code: 'malformed-json',
      title: 'The request body is not valid JSON',
      detail: error.message ?? 'malformed JSON',
    });
  }
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new ProblemException({
      status: 414,
      code: 'uri-too-long',
      title: 'A path segment is too long',
      detail: 'A parameter in the path is longer than the server reads.',
    });
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    return new ProblemException({
      status: 400,
      code: 'bad-url',
      title: 'The path is not a valid URL component',
    });
  }
  if (status === 413) {
    return new ProblemException({
      status,
      code: 'payload-too-large',
      title: 'The request body is too large',
      detail: error.message ?? 'body too large',
    });
  }
  return new ProblemException({
    status,
    code: STATUS_CODES[status] ?? 'bad-request',
    title: error.message ?? 'Bad request',
  });
}

function fromHttpException(exception: HttpException): ProblemException {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const message =
    typeof response === 'string'
      ? response
      : typeof response === 'object' && response !== null && 'message' in response
        ? String(response.message)
        : exception.message;
  return new ProblemException({
    status,
    code: STATUS_CODES[status] ?? kebabCode(exception.name.replace(/Exception$/, '')),
    title: status === 404 ? 'Not found' : message,
    ...(status === 404 ? { detail: message } : {}),
  });
}

/** Any error as the problem a client sees; unknown errors become a 500 that reveals nothing. */
export function problemFromError(exception: unknown): ProblemException {
  if (exception instanceof ProblemException) return exception;
  if (exception instanceof HttpException) {
    // Nest wraps Fastify's own errors (body parsing, limits); their code says more.
    const cause = exception.cause;
    const fromCause =
      typeof cause === 'object' && cause !== null ? fromFastifyError(cause) : undefined;
    return fromCause ?? fromHttpException(exception);
  }
  if (typeof exception === 'object' && exception !== null) {
    const fromFastify = fromFastifyError(exception);
    if (fromFastify) return fromFastify;
  }
  return new ProblemException({
    status: 500,
    code: 'internal-error',
    title: 'Something went wrong on our side',
    detail: 'The error was logged with the correlation id of this request.',
  });
}

/** Writes an error to the reply as application/problem+json with the correlation id. */
export function sendProblem(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
): void {
  const problem = problemFromError(exception);
  if (problem.status >= 500) {
    logger.error({ err: exception, status: problem.status, code: problem.code }, 'request failed');
  }
  const path = request.url.split('?')[0];
  void reply
    .status(problem.status)
    .headers(problem.headers)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(problem.toDocument(path, String(request.id)));
}

const CLIENT_ERRORS: Record<string, { status: number; code: string; title: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'request-header-fields-too-large',
    title: 'The request line and headers are too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request-timeout',
    title: 'The request took too long',
  },
};

/**
 * What Node's HTTP parser refuses before any route runs (a head too large, a malformed
 * request) leaves as problem+json too, then the connection closes.
 */
export function writeClientErrorProblem(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = CLIENT_ERRORS[error.code ?? ''] ?? {
    status: 400,
    code: 'bad-request',
    title: 'The request is not valid HTTP',
  };
  const problem = new ProblemException(known);
  const body = JSON.stringify(problem.toDocument(undefined, undefined));
  const reason = STATUS_TEXT[known.status] ?? 'Bad Request';
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${reason}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * Every error of an HTTP request leaves as application/problem+json with a stable type and
 * the correlation id. The filter is global, so event handlers (consumers, which inherit the
 * app's configuration) pass through it too: they get their error back as it was thrown,
 * since the consumer's retry and dead-letter rules read it (an outage is waited out, a
 * permanent failure dead-lettered at once).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | undefined {
    if (host.getType() !== 'http') return throwError(() => exception);
    const http = host.switchToHttp();
    sendProblem(
      exception,
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      this.logger,
    );
    return undefined;
  }
}
