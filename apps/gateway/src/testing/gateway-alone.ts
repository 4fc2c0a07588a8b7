import { type Mailer, MemoryMailbox } from '@parley/mail';
import type { GatewayOptions } from '../gateway.options';

/** Where no service listens: the gateway's calls there fail at once. */
const NOWHERE = 'http://127.0.0.1:1';

/**
 * The gateway's options for testing it on its own: no service behind it but the posts service
 * given, a test secret, rate limits no test reaches, and a mailbox in memory unless given.
 */
export function gatewayAloneOptions(given: {
  timeoutMs: number;
  postsUrl?: string;
  mailer?: Mailer;
  corsOrigins?: string[];
}): GatewayOptions {
  return {
    services: {
      postsUrl: given.postsUrl ?? NOWHERE,
      commentsUrl: NOWHERE,
      notificationsUrl: NOWHERE,
      timeoutMs: given.timeoutMs,
    },
    auth: {
      jwtSecret: 'a-test-secret-of-at-least-thirty-two-chars',
      accessTtlSeconds: 900,
      refreshTtlDays: 30,
    },
    publicBaseUrl: 'https://blog.example',
    mail: { mailer: given.mailer ?? new MemoryMailbox(), from: 'Parley <accounts@blog.example>' },
    cors: { origins: given.corsOrigins ?? [] },
    rateLimits: { perMinute: 1000, writesPerMinute: 100 },
  };
}
