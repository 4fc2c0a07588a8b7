import type { FastifyRequest } from 'fastify';
import { COOKIES, formTokenValid } from './web-session';

const withCookie = (value?: string) =>
  ({ cookies: value === undefined ? {} : { [COOKIES.csrf]: value } }) as unknown as FastifyRequest;

describe('a form’s CSRF token', () => {
  it('is valid only when it is the browser’s own token', () => {
    expect(formTokenValid(withCookie('abc123'), 'abc123')).toBe(true);
    expect(formTokenValid(withCookie('abc123'), 'abc124')).toBe(false);
    expect(formTokenValid(withCookie('abc123'), undefined)).toBe(false);
  });

  it('is never valid without the cookie, even when both are empty', () => {
    expect(formTokenValid(withCookie(), 'abc123')).toBe(false);
    expect(formTokenValid(withCookie(''), '')).toBe(false);
  });
});
