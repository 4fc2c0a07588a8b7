import type { INestApplication } from '@nestjs/common';
import { type AppName, APP_NAMES, loadConfig } from '@parley/config';
import { createLogger } from '@parley/observability';
import { MemoryMailbox } from '@parley/mail';
import {
  createDistributedInfrastructure,
  type ServiceDefinition,
  startService,
} from '@parley/platform';
import { PrivateKafka, describeInfra, eventually, testInfra } from '@parley/testing';
import { commentsService } from '../../apps/comments/src/comments.service';
import { gatewayService } from '../../apps/gateway/src/gateway.service';
import { notificationsService } from '../../apps/notifications/src/notifications.service';
import { postsService } from '../../apps/posts/src/posts.service';

const SECRET = 'test-secret-test-secret-test-secret-0123';

function envFor(app: AppName, brokers: string[]): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    KAFKA_BROKERS: brokers.join(','),
    MONGODB_URI: testInfra().mongoUri(`health_${app}`),
    POSTS_URL: 'http://127.0.0.1:1',
    COMMENTS_URL: 'http://127.0.0.1:1',
    NOTIFICATIONS_URL: 'http://127.0.0.1:1',
    IDENTITY_URL: 'http://127.0.0.1:1',
    INTERNAL_PORT: '0',
    JWT_SECRET: SECRET,
    TOKEN_SECRET: SECRET,
    SMTP_URL: 'smtp://127.0.0.1:2525',
  };
}

const SERVICES: Record<Exclude<AppName, 'gateway'>, () => ServiceDefinition> = {
  posts: () => postsService(),
  comments: () => commentsService(),
  notifications: () =>
    notificationsService({
      mailer: new MemoryMailbox(),
      from: 'Parley <notifications@parley.localhost>',
      tokenSecret: SECRET,
      publicBaseUrl: 'http://localhost:3000',
    }),
};

/** Boots an app the way its main.ts does, against the given brokers. */
async function boot(
  app: AppName,
  brokers: string[],
): Promise<{ app: INestApplication; url: string }> {
  const logger = createLogger(app, 'silent');
  const env = envFor(app, brokers);
  if (app === 'gateway') {
    const config = loadConfig('gateway', env);
    const definition = gatewayService({
      services: config.services,
      auth: config.auth,
      publicBaseUrl: config.publicBaseUrl,
      mail: { mailer: new MemoryMailbox(), from: config.smtp.from },
      cors: config.cors,
      rateLimits: config.rateLimits,
    });
    return startService(
      definition,
      await createDistributedInfrastructure(config, logger),
      config.http,
    );
  }
  const config = loadConfig(app, env);
  const infra = await createDistributedInfrastructure(config, logger);
  return startService(SERVICES[app](), infra, config.http);
}

async function readiness(
  url: string,
): Promise<{ status: number; body: { checks: Record<string, string> } }> {
  const response = await fetch(`${url}/health/ready`);
  return {
    status: response.status,
    body: (await response.json()) as { checks: Record<string, string> },
  };
}

describeInfra('every app against the real Kafka and Mongo-compatible server', () => {
  it.each(APP_NAMES)('%s boots and reports ready', async (app) => {
    const booted = await boot(app, testInfra().kafkaBrokers);
    try {
      const ready = await readiness(booted.url);
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toEqual({ mongo: 'up', kafka: 'up' });
      const live = await fetch(`${booted.url}/health/live`);
      expect(live.status).toBe(200);
    } finally {
      await booted.app.close();
    }
  });

  describe('when the broker goes down', () => {
    const kafka = new PrivateKafka('health-probe', 19192);

    beforeAll(() => kafka.start());
    afterAll(() => kafka.stop());

    it('readiness answers 503 naming Kafka, and 200 again once it is back', async () => {
      const booted = await boot('comments', kafka.brokers);
      try {
        expect((await readiness(booted.url)).status).toBe(200);

        kafka.stop();
        const down = await eventually(
          async () => {
            const r = await readiness(booted.url);
            return r.status === 503 ? r : undefined;
          },
          { timeoutMs: 15_000 },
        );
        expect(down.body.checks.kafka).toMatch(/^down: /);
        expect(down.body.checks.mongo).toBe('up');

        kafka.start();
        await eventually(
          async () => ((await readiness(booted.url)).status === 200 ? true : undefined),
          {
            timeoutMs: 30_000,
          },
        );
      } finally {
        await booted.app.close();
      }
    }, 90_000);
  });
});
