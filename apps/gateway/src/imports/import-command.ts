import type { Actor } from '@parley/contracts';
import {
  ProblemException,
  type ServiceCommand,
  createDistributedInfrastructure,
} from '@parley/platform';
import { runImportCommand } from '@parley/wordpress';
import { identityStore } from '../identity/account-personal-data';
import { verifiedAccountByEmail } from '../identity/identity.service';
import { createServiceClients } from '../proxy/service-clients';
import { IMPORT_CALL_TIMEOUT_MS, serviceImportTarget } from './service-import-target';

/** Who an import run by an operator from the command line acts as, to the services. */
export const OPERATOR_IMPORTER: Actor = {
  accountId: 'wordpress-import',
  displayName: 'WordPress import',
  roles: ['admin'],
};

/**
 * `<gateway main> import wordpress <file.xml> [--dry-run]` with the gateway's environment: the
 * export goes to the posts and comments services of that Parley through their import routes,
 * the writers' accounts looked up in the gateway's identity store (which it only reads).
 */
export const gatewayImportCommand: ServiceCommand<'gateway'> = async ({
  config,
  logger,
  args,
  out,
}) => {
  try {
    return await runImportCommand({
      args,
      out,
      connect: async () => {
        const infra = await createDistributedInfrastructure(config, logger);
        const services = createServiceClients(
          {
            ...config.services,
            timeoutMs: Math.max(config.services.timeoutMs, IMPORT_CALL_TIMEOUT_MS),
          },
          logger,
        );
        return {
          target: serviceImportTarget({
            posts: services.posts,
            comments: services.comments,
            accountByEmail: (email) =>
              verifiedAccountByEmail(identityStore(infra.eventStore, infra.personKeys), email),
            importer: OPERATOR_IMPORTER,
          }),
          close: () => infra.close(),
        };
      },
    });
  } catch (error) {
    if (!(error instanceof ProblemException)) throw error;
    // What was imported stays; the same command again finishes it.
    out.write(`import stopped: ${error.title}${error.detail ? ` (${error.detail})` : ''}\n`);
    return 69;
  }
};
