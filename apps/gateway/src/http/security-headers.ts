import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

const POLICY = [
  "default-src 'self'",
  "base-uri 'self'",
  "font-src 'self' https: data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
];

/** A year, with subdomains: what helmet sends by default. */
export const HSTS = 'max-age=31536000; includeSubDomains';

// Made once: the same two sets go with every response.
const OVER_HTTPS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': [...POLICY, 'upgrade-insecure-requests'].join(';'),
  'strict-transport-security': HSTS,
});
const OVER_HTTP: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': POLICY.join(';'),
});

/**
 * The Content-Security-Policy and Strict-Transport-Security of a response. Over HTTPS the
 * browser is told to stay on HTTPS; over plain HTTP both would send it to an address that
 * may have no TLS at all (a host name on a LAN), so they are left out there.
 */
export function transportSecurityHeaders(secure: boolean): Readonly<Record<string, string>> {
  return secure ? OVER_HTTPS : OVER_HTTP;
}

/**
 * Helmet's headers, with the two that depend on the scheme set per request: request.protocol
 * is https when the connection is TLS or a trusted proxy says so (TRUST_PROXY).
 */
export async function registerSecurityHeaders(app: NestFastifyApplication): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: false,
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      void reply.headers(transportSecurityHeaders(request.protocol === 'https'));
      done();
    });
}
