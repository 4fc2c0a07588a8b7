import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { INFRA_ENV } from './infra-env';

/** Stops only what the global setup started; servers that were already running stay up. */
export default function globalTeardown(): void {
  const started = (process.env[INFRA_ENV.started] ?? '').split(',').filter(Boolean);
  for (const name of started.reverse()) {
    const script = name === 'kafka' ? 'kafka.sh' : 'ferretdb.sh';
    execFileSync('bash', [join(__dirname, '..', '..', 'scripts', 'infra', script), 'stop'], {
      stdio: 'inherit',
    });
  }
}
