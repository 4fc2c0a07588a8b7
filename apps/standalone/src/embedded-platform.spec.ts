import 'reflect-metadata';
import { type EmbeddedParley, startEmbeddedParley } from './embedded-platform';

describe('the one-process platform', () => {
  let parley: EmbeddedParley;

  beforeAll(async () => {
    parley = await startEmbeddedParley({ host: '127.0.0.1', port: 0, logLevel: 'silent' });
  });
  afterAll(async () => {
    await parley.close();
  });

  it('opens one port, the gateway’s: the services behind it listen on none', () => {
    expect(parley.gateway.app.getHttpServer().listening).toBe(true);
    expect(parley.services.map((s) => s.infra.service).sort()).toEqual([
      'comments',
      'notifications',
      'posts',
    ]);
    for (const service of parley.services) {
      expect(service.app.getHttpServer().listening).toBe(false);
    }
  });

  it('answers through the gateway from each service in process, refusals as problem+json', async () => {
    const posts = await fetch(`${parley.url}/api/v1/posts`);
    expect(posts.status).toBe(200);
    expect(await posts.json()).toMatchObject({ items: [] });

    const thread = await fetch(`${parley.url}/api/v1/posts/no-such-post/comments`);
    expect(thread.status).toBe(404);
    expect(thread.headers.get('content-type')).toContain('application/problem+json');
    expect(thread.headers.get('x-correlation-id')).toBeTruthy();

    const unsubscribe = await fetch(`${parley.url}/api/v1/unsubscribe?token=not-a-token`, {
      headers: { accept: 'application/json' },
    });
    expect(unsubscribe.status).toBe(400);
    expect(unsubscribe.headers.get('content-type')).toContain('application/problem+json');
  });
});
