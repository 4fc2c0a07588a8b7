import 'reflect-metadata';
import type { BlogSettingsView } from '@parley/contracts';
import { ConfigError, loadConfig } from '@parley/config';
import { SmtpMailer } from '@parley/mail';
import { createLogger } from '@parley/observability';
import { runServiceProcess } from '@parley/platform';
import { destination } from 'pino';
import { runExportCommand } from './export/export-command';
import { gatewayService } from './gateway.service';
import { createServiceClients } from './proxy/service-clients';

/** `export wordpress`: the blog read through the running services, as the gateway reads it. */
async function exportBlog(): Promise<number> {
  let config: ReturnType<typeof loadConfig<'gateway'>>;
  try {
    config = loadConfig('gateway');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 78;
  }
  return runExportCommand({
    args: process.argv.slice(3),
    out: process.stdout,
    log: process.stderr,
    connect: async () => {
      const services = createServiceClients(
        config.services,
        createLogger('gateway', config.logLevel, destination(2)),
      );
      const blog = await services.posts.call<BlogSettingsView>({
        method: 'GET',
        path: '/v1/blog',
        actor: null,
      });
      if (blog.status !== 200)
        throw new Error(`The posts service answered ${blog.status} for the blog's name`);
      return {
        services,
        site: {
          title: blog.body.title,
          description: blog.body.description,
          url: config.publicBaseUrl.replace(/\/+$/, ''),
        },
        close: async () => undefined,
      };
    },
  });
}

if (process.argv[2] === 'export') {
  exportBlog().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
} else {
  void runServiceProcess('gateway', (config) =>
    gatewayService({
      services: config.services,
      auth: config.auth,
      publicBaseUrl: config.publicBaseUrl,
      mail: { mailer: new SmtpMailer(config.smtp.url), from: config.smtp.from },
      cors: config.cors,
      trustProxy: config.trustProxy,
      rateLimits: config.rateLimits,
      liveStreams: config.liveStreams,
    }),
  );
}
