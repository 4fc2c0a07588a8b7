import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type Actor, actorSchema } from '@parley/contracts';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from './problem';

/**
 * Who is asking, as the gateway vouches for it: the gateway authenticates the caller and
 * passes the account on in this header; services sit behind it and trust it.
 */
export const ACTOR_HEADER = 'x-parley-actor';

export function encodeActor(actor: Actor): string {
  return Buffer.from(JSON.stringify(actor)).toString('base64url');
}

export function decodeActor(header: string | string[] | undefined): Actor | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  try {
    const parsed = actorSchema.safeParse(
      JSON.parse(Buffer.from(value, 'base64url').toString('utf8')),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The calling account, or null for a guest. */
export const CurrentActor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Actor | null =>
    decodeActor(context.switchToHttp().getRequest<FastifyRequest>().headers[ACTOR_HEADER]),
);

export function requireActor(actor: Actor | null): Actor {
  if (!actor) {
    throw new ProblemException({
      status: 401,
      code: 'unauthenticated',
      title: 'You need to be logged in to do this',
    });
  }
  return actor;
}
