import { RouteConfig } from '@nestjs/platform-fastify';
import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProblemException } from '@parley/platform';
import type { FastifyRequest } from 'fastify';
import type { TokenSigner } from '../identity/credentials';

export type LimitClass = 'writes';
export const WRITE_LIMIT: LimitClass = 'writes';

/** A stricter limit for the route (posting comments, authentication). */
export function RateLimited(limit: LimitClass) {
  return RouteConfig({ parleyLimit: limit });
}

export interface RateLimits {
  perMinute: number;
  writesPerMinute: number;
}

function limitClassOf(request: FastifyRequest): LimitClass | 'general' {
  const config = request.routeOptions.config as { parleyLimit?: LimitClass } | undefined;
  return config?.parleyLimit ?? 'general';
}

/**
 * Rate limits per identity (the account of a valid access token) or, for guests, per IP;
 * a stricter one for writes. A refusal is 429 problem+json with Retry-After.
 */
export async function registerRateLimits(
  app: NestFastifyApplication,
  limits: RateLimits,
  tokens: TokenSigner,
  clock: () => Date,
): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    max: (request: FastifyRequest) =>
      limitClassOf(request) === 'writes' ? limits.writesPerMinute : limits.perMinute,
    allowList: (request: FastifyRequest) =>
      (request.url.split('?')[0] ?? '').startsWith('/health/'),
    keyGenerator: async (request: FastifyRequest) => {
      const header = request.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
      const claims = token ? await tokens.verifyAccess(token, clock()) : null;
      const who = claims ? `account:${claims.accountId}` : `ip:${request.ip}`;
      return `${limitClassOf(request)}:${who}`;
    },
    errorResponseBuilder: (_request, context) =>
      new ProblemException({
        status: 429,
        code: 'rate-limited',
        title: 'Too many requests',
        detail: `Slow down: try again in ${Math.ceil(context.ttl / 1000)} seconds.`,
        extensions: { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
        headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) },
      }),
  });
}
