// The ceiling of the thread read: a bare Node `http` server answering a static JSON body of a
// given size (BENCH_BYTES), or the bytes of a file (BENCH_FILE, sent with BENCH_ENCODING as
// its content-encoding), kept as bytes, with nothing behind it. Prints `listening <url>`.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

function staticBody(): Buffer {
  if (process.env.BENCH_FILE) return readFileSync(process.env.BENCH_FILE);
  const bytes = Number(process.env.BENCH_BYTES ?? 1000);
  const item = { id: 'c-00000000', body: 'x'.repeat(200) };
  const items: (typeof item)[] = [];
  while (JSON.stringify(items).length < bytes) items.push(item);
  return Buffer.from(JSON.stringify({ items }));
}

async function main(): Promise<void> {
  const body = staticBody();
  const encoding = process.env.BENCH_ENCODING;
  const server = createServer((request, response) => {
    if (request.url !== '/static.json') {
      response.writeHead(404).end();
      return;
    }
    response
      .writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': body.length,
        ...(encoding ? { 'content-encoding': encoding } : {}),
      })
      .end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening http://127.0.0.1:${port}\n`);
  process.once('SIGTERM', () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
