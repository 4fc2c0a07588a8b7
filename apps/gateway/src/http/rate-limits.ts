import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProblemException } from '@parley/platform';
import type { FastifyRequest } from 'fastify';
import type { TokenSigner } from '../identity/credentials';
import { COOKIES } from '../web/web-session';

export type LimitClass = 'writes';
export const WRITE_LIMIT: LimitClass = 'writes';

// The metadata key of Nest's RouteConfig, which its package does not export.
const ROUTE_CONFIG = '__fastify_route_config__';

interface ParleyRouteConfig {
  parleyLimit?: LimitClass;
  /** The route refuses callers without an account before it does anything. */
  parleyAuthenticated?: boolean;
}

/** Adds to the route's Fastify config what other decorators put there, instead of replacing it. */
export function WithRouteConfig(part: ParleyRouteConfig): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const existing = (Reflect.getMetadata(ROUTE_CONFIG, handler) ?? {}) as ParleyRouteConfig;
    Reflect.defineMetadata(ROUTE_CONFIG, { ...existing, ...part }, handler);
    return descriptor;
  };
}

/** A stricter limit for the route (posting comments, authentication). */
export function RateLimited(limit: LimitClass) {
  return WithRouteConfig({ parleyLimit: limit });
}

export interface RateLimits {
  perMinute: number;
  writesPerMinute: number;
}

function routeConfigOf(request: FastifyRequest): ParleyRouteConfig | undefined {
  return request.routeOptions.config as ParleyRouteConfig | undefined;
}

function limitClassOf(request: FastifyRequest): LimitClass | 'general' {
  return routeConfigOf(request)?.parleyLimit ?? 'general';
}

/**
 * Not counted: health probes, and requests without any credentials to a route that needs an
 * account (authentication refuses them with 401 first, whatever the count).
 */
function exempt(request: FastifyRequest): boolean {
  if ((request.url.split('?')[0] ?? '').startsWith('/health/')) return true;
  if (!routeConfigOf(request)?.parleyAuthenticated) return false;
  const cookies = request.headers.cookie ?? '';
  return !request.headers.authorization && !cookies.includes(`${COOKIES.access}=`);
}

/** An address may carry this many identities' worth of requests (people behind one NAT). */
export const IDENTITIES_PER_ADDRESS = 4;

function refusal(ttlMs: number): ProblemException {
  const seconds = Math.ceil(ttlMs / 1000);
  return new ProblemException({
    status: 429,
    code: 'rate-limited',
    title: 'Too many requests',
    detail: `Slow down: try again in ${seconds} seconds.`,
    extensions: { retryAfterSeconds: seconds },
    headers: { 'retry-after': String(seconds) },
  });
}

/**
 * Rate limits per identity (the account of a valid access token, or for guests the IP) and
 * per IP (a few identities' worth, so many accounts from one address do not multiply the
 * limit); a stricter one for writes. A refusal is 429 problem+json with Retry-After.
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
    allowList: exempt,
    keyGenerator: async (request: FastifyRequest) => {
      const header = request.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
      const claims = token ? await tokens.verifyAccess(token, clock()) : null;
      const who = claims ? `account:${claims.accountId}` : `ip:${request.ip}`;
      return `${limitClassOf(request)}:${who}`;
    },
    errorResponseBuilder: (_request, context) => refusal(context.ttl),
  });
  const fastify = app.getHttpAdapter().getInstance();
  // A second count per address, beside the plugin's per-identity one (which marks the
  // request as limited, so this one runs as a manual check).
  const perAddress = fastify.createRateLimit({
    timeWindow: 60_000,
    max: (request: FastifyRequest) =>
      IDENTITIES_PER_ADDRESS *
      (limitClassOf(request) === 'writes' ? limits.writesPerMinute : limits.perMinute),
    allowList: exempt,
    keyGenerator: (request: FastifyRequest) => `address:${limitClassOf(request)}:${request.ip}`,
  });
  fastify.addHook('onRequest', async (request, reply) => {
    const verdict = await perAddress(request);
    if (!verdict.isAllowed && verdict.isExceeded) {
      void reply.code(429);
      throw refusal(verdict.ttl);
    }
  });
}
