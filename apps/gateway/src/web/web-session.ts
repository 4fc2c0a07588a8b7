import '@fastify/cookie';
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const COOKIES = {
  access: 'parley_access',
  refresh: 'parley_refresh',
  csrf: 'parley_csrf',
  viewerTokens: 'parley_viewer',
} as const;

/** The header the page's script sends with the CSRF cookie's value on every change. */
export const CSRF_HEADER = 'x-parley-csrf';

const secure = (request: FastifyRequest) => request.protocol === 'https';

export function setSessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  tokens: { accessToken: string; expiresIn: number; refreshToken: string },
  refreshTtlDays: number,
): void {
  void reply.setCookie(COOKIES.access, tokens.accessToken, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: secure(request),
    maxAge: tokens.expiresIn,
  });
  void reply.setCookie(COOKIES.refresh, tokens.refreshToken, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: secure(request),
    maxAge: refreshTtlDays * 24 * 3600,
  });
}

export function clearSessionCookies(reply: FastifyReply): void {
  void reply.clearCookie(COOKIES.access, { path: '/' });
  void reply.clearCookie(COOKIES.refresh, { path: '/' });
}

/** The CSRF token of the visitor (double-submit cookie), made on the first page view. */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  const made = (request as FastifyRequest & { parleyCsrf?: string }).parleyCsrf;
  if (made) return made;
  const existing = request.cookies[COOKIES.csrf];
  if (existing && /^[A-Za-z0-9_-]{20,}$/.test(existing)) return existing;
  const token = randomBytes(18).toString('base64url');
  // One token per request: every form of the page and the cookie must agree.
  (request as FastifyRequest & { parleyCsrf?: string }).parleyCsrf = token;
  void reply.setCookie(COOKIES.csrf, token, {
    path: '/',
    httpOnly: false,
    sameSite: 'lax',
    secure: secure(request),
  });
  return token;
}

/** Viewer tokens of a guest's held comments, so the guest keeps seeing them (never their email). */
export function viewerTokens(request: FastifyRequest): string[] {
  return (request.cookies[COOKIES.viewerTokens] ?? '')
    .split(',')
    .filter((t) => /^[A-Za-z0-9_-]{16,200}$/.test(t));
}

export function rememberViewerToken(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
): void {
  const tokens = [...viewerTokens(request).filter((t) => t !== token), token].slice(-20);
  void reply.setCookie(COOKIES.viewerTokens, tokens.join(','), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: secure(request),
    maxAge: 30 * 24 * 3600,
  });
}

/** Whether a form carries this browser's CSRF token (sent from one of the site's own pages). */
export function formTokenValid(request: FastifyRequest, token: string | undefined): boolean {
  const cookie = request.cookies[COOKIES.csrf];
  return Boolean(cookie && token && cookie === token);
}
