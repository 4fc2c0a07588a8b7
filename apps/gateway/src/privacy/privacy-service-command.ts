import { randomUUID } from 'node:crypto';
import { type ServiceCommand, createDistributedInfrastructure } from '@parley/platform';
import { createLogger } from '@parley/observability';
import { destination } from 'pino';
import { identityStore } from '../identity/account-personal-data';
import { accountByEmail, accountIdByEmail, eraseAccount } from '../identity/identity.service';
import { createServiceClients } from '../proxy/service-clients';
import { erasePerson } from './person-erasure';
import { ErasureRefused, runPrivacyCommand } from './privacy-command';

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
      const services = createServiceClients(config.services, logger);
      const context = { correlationId: randomUUID(), causationId: null };
      const identity = identityStore(infra.eventStore, infra.personKeys);
      return {
        services,
        accountByEmail: (email) => accountByEmail(identity, email),
        publicBaseUrl: config.publicBaseUrl,
        now: () => new Date(),
        // The account is erased in the gateway's identity store; its events reach the topic
        // through the running gateway's relay.
        erase: (request, actor) =>
          erasePerson(
            services,
            {
              accountIdByEmail: (email) => accountIdByEmail(identity, email),
              erase: async (accountId) => {
                const erased = await eraseAccount(identity, infra.personKeys, accountId, {
                  now: infra.clock,
                  context,
                });
                if (!('kind' in erased)) return erased;
                if (erased.code === 'AccountNotFound') return null;
                throw new ErasureRefused(erased.message);
              },
            },
            request,
            actor,
          ),
        close: () => infra.close(),
      };
    },
  });
};
