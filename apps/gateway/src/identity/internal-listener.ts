import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  OPEN_PERSONAL_DATA_PATH,
  type OpenPersonalDataResponse,
  can,
  openAccountPersonalDataRequestSchema,
} from '@parley/contracts';
import {
  ACTOR_HEADER,
  decodeActor,
  type PersonalDataOpener,
  PROBLEM_CONTENT_TYPE,
  ProblemException,
  validationProblem,
} from '@parley/platform';
import type { Logger } from 'pino';

/** The largest body the listener reads: the most values a request may hold, each at its longest. */
const MAX_BODY_BYTES = 9 * 1024 * 1024;

export interface InternalListener {
  /** The base URL the other services are given as IDENTITY_URL. */
  readonly url: string;
  close(): Promise<void>;
}

function answer(
  response: ServerResponse,
  status: number,
  body: unknown,
  type = 'application/json',
) {
  response.writeHead(status, { 'content-type': type });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new ProblemException({
        status: 413,
        code: 'body-too-large',
        title: 'The body is too large',
      });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw validationProblem([{ field: '(body)', reason: 'is not JSON' }]);
  }
}

async function openValues(
  request: IncomingMessage,
  opener: PersonalDataOpener,
): Promise<OpenPersonalDataResponse> {
  if (request.method !== 'POST' || request.url !== OPEN_PERSONAL_DATA_PATH)
    throw new ProblemException({ status: 404, code: 'not-found', title: 'There is nothing here' });
  const actor = decodeActor(request.headers[ACTOR_HEADER]);
  if (!actor)
    throw new ProblemException({ status: 401, code: 'unauthenticated', title: 'Services only' });
  if (!can(actor, 'administer'))
    throw new ProblemException({ status: 403, code: 'forbidden', title: 'Services only' });
  const parsed = openAccountPersonalDataRequestSchema.safeParse(await readJson(request));
  if (!parsed.success)
    throw validationProblem(
      parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', reason: i.message })),
    );
  return { values: await opener.open(parsed.data.values) };
}

/**
 * The gateway's internal listener, on a port of its own that the ingress never routes: the
 * services open the sealed address and name of an account here (the identity keeps the keys),
 * as they open a guest's through the comments service.
 */
export async function startInternalListener(options: {
  host: string;
  port: number;
  opener: PersonalDataOpener;
  logger: Logger;
}): Promise<InternalListener> {
  const server = createServer((request, response) => {
    openValues(request, options.opener).then(
      (body) => answer(response, 200, body),
      (error: unknown) => {
        if (error instanceof ProblemException)
          return answer(
            response,
            error.status,
            error.toDocument(request.url, undefined),
            PROBLEM_CONTENT_TYPE,
          );
        options.logger.error({ err: error }, 'opening account personal data failed');
        answer(
          response,
          500,
          new ProblemException({
            status: 500,
            code: 'internal',
            title: 'The personal data could not be opened',
          }).toDocument(request.url, undefined),
          PROBLEM_CONTENT_TYPE,
        );
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
