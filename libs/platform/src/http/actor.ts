import { isIP } from 'node:net';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type Actor, type Capability, actorSchema, can } from '@parley/contracts';
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

/**
 * The caller's client address as the gateway keys it (a keyed hash of the address, never the
 * address itself), for rules that apply per client whatever name or account is given.
 */
export const CLIENT_HEADER = 'x-parley-client';

const CLIENT_KEY = /^[A-Za-z0-9_-]{16,128}$/;

/** The calling client's key, or null when the request came without a well-formed one. */
export const CurrentClient = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | null => {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers[CLIENT_HEADER];
    const value = Array.isArray(header) ? header[0] : header;
    return value && CLIENT_KEY.test(value) ? value : null;
  },
);

/**
 * The writer's IP address and user agent, passed by the gateway with a new comment only, for
 * moderators to see while the retention period keeps them; services sit behind the gateway.
 */
export const ORIGIN_IP_HEADER = 'x-parley-origin-ip';
export const ORIGIN_AGENT_HEADER = 'x-parley-origin-agent';

/** The longest user agent kept: longer ones are cut, as WordPress cuts comment_agent. */
export const MAX_USER_AGENT_CHARS = 255;

export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers[name];
  return Array.isArray(header) ? header[0] : header;
}

/** The origin of the request as the gateway passed it on; an address that is not one is dropped. */
export function requestOrigin(request: FastifyRequest): RequestOrigin {
  const ip = headerValue(request, ORIGIN_IP_HEADER)?.trim();
  const agent = headerValue(request, ORIGIN_AGENT_HEADER)?.trim();
  return {
    ip: ip && isIP(ip) !== 0 ? ip : null,
    userAgent: agent ? agent.slice(0, MAX_USER_AGENT_CHARS) : null,
  };
}

export const CurrentOrigin = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestOrigin =>
    requestOrigin(context.switchToHttp().getRequest<FastifyRequest>()),
);

/** The calling account, which must hold the capability: 401 without one, 403 without it. */
export function requireCapability(actor: Actor | null, capability: Capability): Actor {
  const caller = requireActor(actor);
  if (!can(caller, capability)) {
    throw new ProblemException({
      status: 403,
      code: 'forbidden',
      title: 'Your account may not do this',
      detail: `This needs the ${capability} capability`,
    });
  }
  return caller;
}
