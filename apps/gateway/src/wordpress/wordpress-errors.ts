import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { ProblemException } from '@parley/platform';
import type { FastifyReply } from 'fastify';
import { problemToWp, type WpError } from './wordpress.mapping';

/** An answer in WordPress's error shape, with the headers it needs (Retry-After). */
export class WpException extends Error {
  constructor(
    readonly error: WpError,
    readonly headers: Record<string, string> = {},
  ) {
    super(error.message);
    this.name = 'WpException';
  }
}

/**
 * Every refusal on the WordPress routes in WordPress's shape, whoever refused: the route,
 * the authentication guard, or a service behind it.
 */
@Catch(WpException, ProblemException)
export class WpErrorFilter implements ExceptionFilter {
  catch(exception: WpException | ProblemException, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const answer =
      exception instanceof WpException
        ? exception
        : new WpException(
            problemToWp({
              status: exception.status,
              code: exception.code,
              title: exception.title,
              errors: exception.errors,
            }),
            exception.headers,
          );
    for (const [name, value] of Object.entries(answer.headers)) void reply.header(name, value);
    void reply
      .status(answer.error.data.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(answer.error);
  }
}
