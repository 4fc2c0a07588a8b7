// The embedded platform (`npm start`) for the benchmarks: in memory, rate limits out of the
// way, mail to SMTP_URL; prints `listening <url>` once it serves.
import 'reflect-metadata';
import { PersonalDataCipher } from '@parley/privacy';
import { startEmbeddedParley } from '../apps/standalone/src/embedded-platform';

/**
 * BENCH_SEALING=off, the baseline of the privacy bench: personal data is stored as given, with
 * no key looked up or made and nothing encrypted (readers take such values as legacy plaintext).
 */
function storePersonalDataAsGiven(): void {
  const cipher = PersonalDataCipher.prototype;
  cipher.seal = (_person, _field, value) => Promise.resolve(value);
  cipher.sealAll = <F extends string>(_person: unknown, values: Readonly<Record<F, string>>) =>
    Promise.resolve({ ...values } as Record<F, string>);
}

async function main(): Promise<void> {
  if (process.env.BENCH_SEALING === 'off') storePersonalDataAsGiven();
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
