import type { BlogSettingsView } from '@parley/contracts';
import { createLogger } from '@parley/observability';
import type { ServiceCommand } from '@parley/platform';
import { destination } from 'pino';
import { createServiceClients } from '../proxy/service-clients';
import { runExportCommand } from './export-command';

/**
 * `<gateway main> export wordpress` with the gateway's environment: the blog read through the
 * running services, as the gateway reads it. The XML goes to stdout, so the log goes to stderr.
 */
export const gatewayExportCommand: ServiceCommand<'gateway'> = ({ config, args, out }) =>
  runExportCommand({
    args,
    out: process.stdout,
    log: out,
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
