import { randomUUID } from 'node:crypto';
import { createLogger } from '@parley/observability';
import { createDistributedInfrastructure, type ServiceCommand } from '@parley/platform';
import { destination } from 'pino';
import { accountIdByEmail, eraseAccount } from '../identity/identity.service';
import { createServiceClients } from '../proxy/service-clients';
import { ErasureRefused, runEraseCommand } from './erase-command';
import { erasePerson } from './person-erasure';

/**
 * `<gateway main> privacy erase <email> [--remove]` with the gateway's environment: the
 * services erase through their internal routes, and the account in the gateway's identity store
 * (its events reach the topic through the running gateway's relay). The summary goes to stdout.
 */
const gatewayEraseCommand: ServiceCommand<'gateway'> = ({ config, args, out }) =>
  runEraseCommand({
    args,
    out: process.stdout,
    log: out,
    connect: async () => {
      const logger = createLogger('gateway', config.logLevel, destination(2));
      const infra = await createDistributedInfrastructure(config, logger);
      const services = createServiceClients(config.services, logger);
      const context = { correlationId: randomUUID(), causationId: null };
      return {
        erase: (request, actor) =>
          erasePerson(
            services,
            {
              accountIdByEmail: (email) => accountIdByEmail(infra.eventStore, email),
              erase: async (accountId) => {
                const erased = await eraseAccount(infra.eventStore, infra.personKeys, accountId, {
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

/** The personal-data commands, by name: `privacy <command> …`. */
const PRIVACY_COMMANDS: Record<string, ServiceCommand<'gateway'>> = {
  erase: gatewayEraseCommand,
};

export const gatewayPrivacyCommand: ServiceCommand<'gateway'> = async (context) => {
  const [name, ...args] = context.args;
  const command = name === undefined ? undefined : PRIVACY_COMMANDS[name];
  if (!command) {
    context.out.write(`usage: privacy <${Object.keys(PRIVACY_COMMANDS).join('|')}> …\n`);
    return 64;
  }
  return command({ ...context, args });
};
