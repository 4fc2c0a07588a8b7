import { runEntryPoint, describeInfra, testInfra } from '@parley/testing';
import { type ParleyStack, stackForTests } from './stack';
import {
  WORDPRESS_FIXTURE as FIXTURE,
  expectFirstImport,
  expectFixtureOnPages,
  expectNobodyTold,
  writerFollowingTheBlog,
} from './wordpress-fixture';

/**
 * `npm run import` with the gateway's environment, as an operator runs it next to the services:
 * the gateway's entry point's import command, as a process.
 */
function runImport(parley: ParleyStack, smtpUrl: string, args: string[]) {
  const services = parley.services!;
  return runEntryPoint('gateway', ['import', ...args], {
    env: {
      LOG_LEVEL: 'warn',
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      MONGODB_URI: services.gateway.mongoUri!,
      POSTS_URL: services.posts.url,
      COMMENTS_URL: services.comments.url,
      NOTIFICATIONS_URL: services.notifications.url,
      JWT_SECRET: 'an-import-command-secret-of-at-least-32-chars',
      SMTP_URL: smtpUrl,
      METRICS_PORT: '0',
    },
  });
}

describeInfra(
  'importing a WordPress export into Parley on Kafka and the Mongo-compatible server (npm run import)',
  () => {
    const { smtp, parley, call } = stackForTests('distributed', 120_000);

    it('brings in every published post and comment through the running services, nested as in WordPress, a dry run after it finding everything already here, telling nobody', async () => {
      const token = await writerFollowingTheBlog(call, smtp);
      const mailsBefore = smtp.mails.length;

      const first = await runImport(parley(), smtp.url, ['wordpress', FIXTURE]);
      expect({ code: first.code, output: first.output }).toMatchObject({ code: 0 });
      expectFirstImport(first.output);

      const dry = await runImport(parley(), smtp.url, ['wordpress', FIXTURE, '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.output).toContain('would import (dry run, nothing written)');
      expect(dry.output).toMatch(/posts: +0 new, 51 already here/);

      // The projections on the Mongo-compatible server catch up after the import: a loaded machine takes minutes.
      await expectFixtureOnPages(call, { waitMs: 180_000 });
      await expectNobodyTold(call, smtp, token, mailsBefore, { waitMs: 60_000 });
    }, 900_000);
  },
);
