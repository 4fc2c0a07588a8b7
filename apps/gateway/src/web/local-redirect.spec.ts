import { localRedirect } from './local-redirect';

describe('localRedirect', () => {
  it.each([
    ['/posts/her', '/posts/her'],
    ['/posts/her?cpage=2#comment-7', '/posts/her?cpage=2#comment-7'],
    ['/notifications', '/notifications'],
    ['/posts/caf%C3%A9', '/posts/caf%C3%A9'],
    ['/posts/café', '/posts/caf%C3%A9'],
    ['/a/../b', '/b'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
  ])('keeps the local path %j as %j', (input, expected) => {
    expect(localRedirect(input)).toBe(expected);
  });

  it.each([
    ['//evil.example', 'protocol-relative'],
    ['///evil.example', 'triple slash'],
    ['/\\evil.example/', 'backslash read as a slash'],
    ['\\\\evil.example', 'two backslashes'],
    ['/\t/evil.example', 'tab stripped by browsers'],
    ['/\n/evil.example', 'newline stripped by browsers'],
    ['/ /evil.example', 'space'],
    ['/posts\r\nSet-Cookie: x=1', 'CRLF header injection'],
    ['/posts\u0000', 'NUL'],
    ['/posts\u0085', 'C1 next-line'],
    ['/\u2028/evil.example', 'line separator'],
    ['/\u202e/evil.example', 'right-to-left override'],
    ['%2F%2Fevil.example', 'encoded slashes, not a path'],
    ['https:evil.example', 'scheme without slashes'],
    ['https://evil.example/', 'absolute URL'],
    ['javascript:alert(1)', 'javascript scheme'],
    ['JaVaScRiPt:alert(1)', 'javascript scheme, mixed case'],
    ['data:text/html,x', 'data URL'],
    ['/.//evil.example', 'dot segment collapsing to //'],
    ['/..//evil.example', 'dot-dot segment collapsing to //'],
    ['evil.example', 'relative name'],
    ['', 'empty'],
  ])('falls back for %j (%s)', (input) => {
    expect(localRedirect(input)).toBe('/');
    expect(localRedirect(input, '/posts/her')).toBe('/posts/her');
  });

  it('falls back for a target longer than any page of the site', () => {
    expect(localRedirect(`/${'a'.repeat(3000)}`)).toBe('/');
  });

  it('falls back when there is no value', () => {
    expect(localRedirect(undefined)).toBe('/');
    expect(localRedirect(null, '/notifications')).toBe('/notifications');
  });
});
