// The baseline of the thread read: the Fastify that Parley's gateway runs on, answering a
// static JSON body of a given size with nothing behind it. Prints `listening <url>`.
import Fastify from 'fastify';

async function main(): Promise<void> {
  const bytes = Number(process.env.BENCH_BYTES ?? 1000);
  const item = { id: 'c-00000000', body: 'x'.repeat(200) };
  const items: (typeof item)[] = [];
  while (JSON.stringify(items).length < bytes) items.push(item);
  const body = JSON.stringify({ items });
  const app = Fastify({ logger: false });
  app.get('/static.json', async (_request, reply) =>
    reply.header('content-type', 'application/json; charset=utf-8').send(body),
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`listening ${url}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
