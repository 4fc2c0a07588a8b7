import { createHash } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProblemException, sendProblem } from '@parley/platform';
import { type DocumentCollection, type DocumentStore, DuplicateKeyError } from '@parley/readmodel';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { TokenSigner } from '../identity/credentials';

interface IdempotencyRecord {
  _id: string;
  state: 'in-flight' | 'done';
  fingerprint: string;
  createdAt: string;
  status?: number;
  contentType?: string;
  payload?: string;
}

const HEADER = 'idempotency-key';
const KEY = /^[\x21-\x7e]{1,200}$/;
const LIFETIME_MS = 24 * 3600 * 1000;

type WithIdempotency = FastifyRequest & { idempotencyId?: string };

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * `Idempotency-Key` on every POST: the first request runs, a retry with the same key (and
 * the same body, from the same caller) gets the first answer again, and creates nothing.
 * A retry while the first is still running gets 409; answers of 5xx are not kept, so the
 * request can be tried again. Keys live for 24 hours.
 */
export function registerIdempotency(
  app: NestFastifyApplication,
  store: DocumentStore,
  tokens: TokenSigner,
  clock: () => Date,
  logger: Logger,
): void {
  const records: DocumentCollection<IdempotencyRecord> =
    store.collection<IdempotencyRecord>('idempotency_keys');
  const fastify = app.getHttpAdapter().getInstance();

  fastify.addHook('preHandler', async (request: WithIdempotency, reply: FastifyReply) => {
    const key = request.headers[HEADER];
    if (request.method !== 'POST' || key === undefined) return;
    if (typeof key !== 'string' || !KEY.test(key)) {
      sendProblem(
        new ProblemException({
          status: 400,
          code: 'validation-failed',
          title: 'The request is not valid',
          errors: [
            {
              field: 'header.idempotency-key',
              reason: 'must be 1 to 200 visible ASCII characters',
            },
          ],
        }),
        request,
        reply,
        logger,
      );
      return reply;
    }
    const auth = request.headers.authorization;
    const claims = auth?.startsWith('Bearer ')
      ? await tokens.verifyAccess(auth.slice(7), clock())
      : null;
    const caller = claims ? `account:${claims.accountId}` : `ip:${request.ip}`;
    const id = sha256(`${caller}|${request.method}|${request.url}|${key}`);
    const fingerprint = sha256(JSON.stringify(request.body ?? null));
    const now = clock();

    let existing: IdempotencyRecord | null = null;
    try {
      await records.insertOne({
        _id: id,
        state: 'in-flight',
        fingerprint,
        createdAt: now.toISOString(),
      });
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      existing = await records.findOne({ _id: id });
    }
    if (existing && now.getTime() - Date.parse(existing.createdAt) > LIFETIME_MS) {
      await records.replaceOne(
        { _id: id },
        { _id: id, state: 'in-flight', fingerprint, createdAt: now.toISOString() },
      );
      existing = null;
    }
    if (!existing) {
      request.idempotencyId = id;
      return;
    }
    if (existing.fingerprint !== fingerprint) {
      sendProblem(
        new ProblemException({
          status: 422,
          code: 'idempotency-key-reused',
          title: 'This Idempotency-Key was used for a different request',
          detail: 'Use a new key for a new request.',
        }),
        request,
        reply,
        logger,
      );
      return reply;
    }
    if (existing.state === 'in-flight') {
      sendProblem(
        new ProblemException({
          status: 409,
          code: 'idempotency-key-in-use',
          title: 'A request with this Idempotency-Key is still running',
          detail: 'Retry once it has finished.',
          headers: { 'retry-after': '1' },
        }),
        request,
        reply,
        logger,
      );
      return reply;
    }
    await reply
      .status(existing.status ?? 200)
      .header('content-type', existing.contentType ?? 'application/json')
      .header('idempotent-replayed', 'true')
      .send(existing.payload ?? '');
    return reply;
  });

  fastify.addHook(
    'onSend',
    async (request: WithIdempotency, reply: FastifyReply, payload: unknown) => {
      const id = request.idempotencyId;
      if (!id) return payload;
      request.idempotencyId = undefined;
      if (
        reply.statusCode >= 500 ||
        (typeof payload !== 'string' && payload !== null && payload !== undefined)
      ) {
        await records.deleteMany({ _id: id });
        return payload;
      }
      const contentType = reply.getHeader('content-type');
      const existing = await records.findOne({ _id: id });
      if (existing) {
        await records.replaceOne(
          { _id: id },
          {
            ...existing,
            state: 'done',
            status: reply.statusCode,
            contentType: typeof contentType === 'string' ? contentType : 'application/json',
            payload: typeof payload === 'string' ? payload : '',
          },
        );
      }
      return payload;
    },
  );
}
