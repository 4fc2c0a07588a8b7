import { type ServiceCommand, createDistributedInfrastructure } from '@parley/platform';
import { createLogger } from '@parley/observability';
import { destination } from 'pino';
import { accountByEmail } from '../identity/identity.service';
import { createServiceClients } from '../proxy/service-clients';
import { runPrivacyCommand } from './privacy-command';

/**
 * `<gateway main> privacy <command> …` with the gateway's environment: the running services
 * over their internal routes, accounts read from the gateway's identity store. What a command
 * prints goes to stdout, so the log goes to stderr.
 */
export const gatewayPrivacyCommand: ServiceCommand<'gateway'> = ({ config, args, out }) => {
  const logger = createLogger('gateway', config.logLevel, destination(2));
  return runPrivacyCommand({
    args,
    out: process.stdout,
    log: out,
    connect: async () => {
      const infra = await createDistributedInfrastructure(config, logger);
      return {
        services: createServiceClients(config.services, logger),
        accountByEmail: (email) => accountByEmail(infra.eventStore, email),
        publicBaseUrl: config.publicBaseUrl,
        now: () => new Date(),
        close: () => infra.close(),
      };
    },
  });
};
