import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { ServiceClient } from './service-client';

/** A service on loopback answering a tagged thread, 304 to its current tag; the test changes it. */
async function taggedService() {
  const state = { etag: '"v1"', body: JSON.stringify({ items: ['first'] }), asked: [] as string[] };
  const server: Server = createServer((req, res) => {
    const ifNoneMatch = req.headers['if-none-match'] ?? '';
    state.asked.push(ifNoneMatch);
    if (ifNoneMatch === state.etag) {
      res.writeHead(304, { etag: state.etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', etag: state.etag }).end(state.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { state, url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

describe('relaying an anonymous answer', () => {
  let service: Awaited<ReturnType<typeof taggedService>>;
  let client: ServiceClient;
  const read = (ifNoneMatch?: string) =>
    client.relay({
      method: 'GET',
      path: '/v1/posts/p1/comments',
      actor: null,
      ...(ifNoneMatch ? { headers: { 'if-none-match': ifNoneMatch } } : {}),
    });

  beforeEach(async () => {
    service = await taggedService();
    client = new ServiceClient('comments', service.url, 5000, pino({ level: 'silent' }));
  });
  afterEach(() => service.close());

  it('asks the service only whether it changed, and sends the whole answer to a new reader', async () => {
    const first = await read();
    expect(first.status).toBe(200);
    const again = await read();
    expect(service.state.asked).toEqual(['', '"v1"']);
    expect(again.status).toBe(200);
    expect(again.body?.toString()).toBe(service.state.body);
    expect(again.headers.get('etag')).toBe('"v1"');
  });

  it('answers 304 to a reader who has the current answer, and the new one once it changed', async () => {
    await read();
    expect((await read('"v1"')).status).toBe(304);
    service.state.etag = '"v2"';
    service.state.body = JSON.stringify({ items: ['first', 'second'] });
    const changed = await read('"v1"');
    expect(changed.status).toBe(200);
    expect(changed.body?.toString()).toContain('second');
    expect(changed.headers.get('etag')).toBe('"v2"');
  });

  it('keeps nothing of a signed-in reader’s answer', async () => {
    const asSignedIn = () =>
      client.relay({
        method: 'GET',
        path: '/v1/posts/p1/comments',
        actor: { accountId: 'amy', displayName: 'Amy', roles: ['reader'] },
      });
    await asSignedIn();
    await asSignedIn();
    expect(service.state.asked).toEqual(['', '']);
  });
});
