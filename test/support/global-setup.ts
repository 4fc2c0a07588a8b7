import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { INFRA_ENV } from './infra-env';

const root = join(__dirname, '..', '..');

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function runScript(script: string, action: string): void {
  execFileSync('bash', [join(root, 'scripts', 'infra', script), action], {
    stdio: 'inherit',
    cwd: root,
  });
}

function listening(port: string): boolean {
  return (
    spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { stdio: 'ignore' }).status ===
    0
  );
}

/** Started by this checkout's script, or listening already (another checkout's server): reuse it. */
function running(script: string, port: string): boolean {
  return (
    spawnSync('bash', [join(root, 'scripts', 'infra', script), 'status'], { stdio: 'ignore' })
      .status === 0 || listening(port)
  );
}

/**
 * Gives the infrastructure tiers a real Kafka broker and a real Mongo-compatible
 * server: the ones named by KAFKA_BROKERS / MONGODB_URI, or local ones started here.
 */
export default function globalSetup(): void {
  process.env[INFRA_ENV.runId] ??= `r${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  if (process.env[INFRA_ENV.switch] === 'off') {
    process.env[INFRA_ENV.unavailable] = 'PARLEY_INFRA=off';
    return;
  }
  const ci = process.env.CI === 'true';
  const started: string[] = [];

  if (!process.env.KAFKA_BROKERS) {
    const missing = ['java', 'mvn'].filter((tool) => !has(tool));
    if (missing.length > 0) {
      const reason = `Kafka needs ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed`;
      if (ci) throw new Error(`CI=true: ${reason}. Install Java 17+ and Maven.`);
      process.env[INFRA_ENV.unavailable] = reason;
    } else {
      if (!running('kafka.sh', process.env.KAFKA_PORT ?? '9092')) {
        runScript('kafka.sh', 'start');
        started.push('kafka');
      }
      process.env.KAFKA_BROKERS = `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
    }
  }

  if (!process.env.MONGODB_URI) {
    if (!has('go')) {
      const reason = 'the Mongo-compatible server needs Go, which is not installed';
      if (ci) throw new Error(`CI=true: ${reason}. Install Go.`);
      process.env[INFRA_ENV.unavailable] = [process.env[INFRA_ENV.unavailable], reason]
        .filter(Boolean)
        .join('; ');
    } else {
      if (!running('ferretdb.sh', process.env.FERRETDB_PORT ?? '27017')) {
        runScript('ferretdb.sh', 'start');
        started.push('ferretdb');
      }
      process.env.MONGODB_URI = `mongodb://127.0.0.1:${process.env.FERRETDB_PORT ?? '27017'}/parley`;
    }
  }
  process.env[INFRA_ENV.started] = started.join(',');
}
