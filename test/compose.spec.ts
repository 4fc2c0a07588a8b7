import { type AppName, APP_NAMES, ConfigError, loadConfig } from '@parley/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  build?: { context: string; target?: string };
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const root = join(__dirname, '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const targets = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);

/** Compose's ${NAME:-default} interpolation, with an empty shell environment. */
function interpolate(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

describe('docker-compose.yml', () => {
  const services = Object.entries(compose.services);

  it('runs Kafka 3.9 and MongoDB 7 from their official images, plus a mail catcher', () => {
    expect(compose.services.kafka?.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(compose.services.mongo?.image).toBe('mongo:7');
    expect(compose.services.mailpit?.image).toMatch(/mailpit/);
  });

  it.each(services)('%s has an image or a build and a health check', (_name, service) => {
    expect(service.image ?? service.build).toBeDefined();
    expect(service.healthcheck?.test?.length).toBeGreaterThan(0);
  });

  describe.each(APP_NAMES)('the %s service', (app: AppName) => {
    const service = compose.services[app];

    it('is built from a target of the one Dockerfile', () => {
      expect(service?.build?.target).toBe(app);
      expect(targets).toContain(app);
    });

    it('waits for healthy Kafka and MongoDB', () => {
      expect(service?.depends_on?.kafka?.condition).toBe('service_healthy');
      expect(service?.depends_on?.mongo?.condition).toBe('service_healthy');
    });

    it("gives every variable the app's configuration requires, with valid values", () => {
      const env = Object.fromEntries(
        Object.entries(service?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
      );
      let problems: string[] = [];
      try {
        loadConfig(app, env);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems = error.problems.map((p) => `${p.variable}: ${p.reason}`);
      }
      expect(problems).toEqual([]);
    });
  });
});
