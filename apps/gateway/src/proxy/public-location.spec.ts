import { publicLocation } from './service-client';

describe("a service's Location, as the gateway relays it", () => {
  it.each([
    ['/v1/comments/c1', '/api/v1/comments/c1'],
    ['/v1/posts/p1?view=full', '/api/v1/posts/p1?view=full'],
  ])('publishes the service path %j as %j', (location, expected) => {
    expect(publicLocation(location)).toBe(expected);
  });

  it.each([
    'http://comments:3002/v1/comments/c1',
    '//comments:3002/v1/comments/c1',
    '/internal/rebuild',
    '/health/ready',
    'https://evil.example/v1/x',
  ])('drops %j, which is no public path', (location) => {
    expect(publicLocation(location)).toBeUndefined();
  });
});
