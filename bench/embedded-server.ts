// The embedded platform (`npm start`) for the benchmarks: in memory, rate limits out of the
// way, mail to SMTP_URL; prints `listening <url>` once it serves.
import 'reflect-metadata';
import { startEmbeddedParley } from '../apps/standalone/src/embedded-platform';

async function main(): Promise<void> {
  const limit = Number(process.env.BENCH_RATE_LIMIT ?? 10_000_000);
  const parley = await startEmbeddedParley({
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
    ...(process.env.SMTP_URL ? { smtpUrl: process.env.SMTP_URL } : {}),
    rateLimits: { perMinute: limit, writesPerMinute: limit },
  });
  process.stdout.write(`listening ${parley.url}\n`);
  const stop = () => {
    parley.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
