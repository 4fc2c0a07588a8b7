import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { APP_LOGGER, sendProblem } from '@parley/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { type Observable, throwError } from 'rxjs';
import { redirectLegacyLink } from './legacy-redirect';
import { PageRenderer } from './page-renderer';
import { PublicApi } from './public-api';

/** Whether the client asks for a page: it names text/html in Accept with a weight above zero. */
export function wantsHtml(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((range) => {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    if (type !== 'text/html') return false;
    const q = params.find((param) => param.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

const API_PATHS = /^\/(api|wp-json)(\/|$)/;

/**
 * An address nothing answers: an old permalink of an imported blog redirects to its post; else
 * a browser gets a page in the site's frame, an API client the problem+json every other error is.
 */
@Catch(NotFoundException)
@Injectable()
export class NotFoundPageFilter implements ExceptionFilter {
  constructor(
    private readonly pages: PageRenderer,
    private readonly api: PublicApi,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  catch(exception: NotFoundException, host: ArgumentsHost): Observable<never> | Promise<void> {
    // Consumers get their error back as thrown, as the problem filter does for them.
    if (host.getType() !== 'http') return throwError(() => exception);
    return this.answer(exception, host);
  }

  private async answer(exception: NotFoundException, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const path = request.url.split('?')[0] ?? '/';
    if (
      !API_PATHS.test(path) &&
      (request.method === 'GET' || request.method === 'HEAD') &&
      (await redirectLegacyLink(this.api, request, reply, { path }))
    )
      return;
    if (API_PATHS.test(path) || !wantsHtml(request.headers.accept)) {
      sendProblem(exception, request, reply, this.logger);
      return;
    }
    await this.pages.message(request, reply, 'Not found', 'There is no page at this address.', {
      status: 404,
      link: { href: '/', label: 'Back to the blog' },
    });
  }
}
