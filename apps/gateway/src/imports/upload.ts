import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProblemException } from '@parley/platform';
import type { FastifyRequest } from 'fastify';

/** The content types an export is uploaded as; their bodies are left unread for the import to stream. */
export const UPLOAD_TYPES = ['application/xml', 'text/xml', 'application/rss+xml'] as const;

const STREAMED = Symbol('parley:streamed-body');

type WithStream = FastifyRequest & { [STREAMED]?: boolean };

/**
 * Lets XML bodies through unread: the route that takes them streams them itself, under its own
 * limit, instead of the gateway holding them whole in memory.
 */
export function registerUploadParser(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser([...UPLOAD_TYPES], (request, _payload, done) => {
      (request as WithStream)[STREAMED] = true;
      done(null, undefined);
    });
}

/** The answer to an upload over the limit, by its declared length or as it arrives. */
export function uploadTooLarge(maxBytes: number): ProblemException {
  return new ProblemException({
    status: 413,
    code: 'payload-too-large',
    title: 'The export is too large',
    detail: `An upload may be ${Math.floor(maxBytes / 1024 / 1024)} MiB at most (IMPORT_MAX_MEGABYTES); import a larger one with npm run import`,
  });
}

/** The request's body as it arrives, checked against the limit by its declared length first. */
export function uploadOf(request: FastifyRequest, maxBytes: number): AsyncIterable<Buffer> {
  if (!(request as WithStream)[STREAMED])
    throw new ProblemException({
      status: 415,
      code: 'unsupported-media-type',
      title: 'Send the export as application/xml',
      detail: `The body is the WordPress export itself, as ${UPLOAD_TYPES.join(', ')}`,
    });
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw uploadTooLarge(maxBytes);
  return request.raw;
}
