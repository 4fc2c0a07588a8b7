import 'reflect-metadata';
import { destination } from 'pino';
import { z } from 'zod';
import { VARIABLES } from '@parley/config';
import { FolderInUseError } from '@parley/files';
import { initTracing } from '@parley/observability';
import {
  EMBEDDED_RATE_LIMITS,
  type EmbeddedOptions,
  startEmbeddedParley,
} from './embedded-platform';
import { DEMO_PASSWORD, seedDemo } from './demo-seed';
import { runImportCommand } from '@parley/wordpress';
import { runExportCommand } from '../../gateway/src/export/export-command';
import { PersonalDataErasure } from '../../gateway/src/privacy/personal-data-erasure.service';
import { SERVICE_CLIENTS, type ServiceClients } from '../../gateway/src/proxy/service-clients';
import { BlogIdentity } from '../../gateway/src/web/blog-identity';
import { IdentityService } from '../../gateway/src/identity/identity.service';
import { runPrivacyCommand } from '../../gateway/src/privacy/privacy-command';
import { embeddedImportTarget } from './import-target';
import { runEmbeddedLogMigration } from './log-migration';

/** Exit codes beyond 0 and 1: 78 a bad setting; 75 the data folder is held by another process. */
const FOLDER_IN_USE_EXIT_CODE = 75;

const environment = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/.+/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  PUBLIC_BASE_URL: z.url().optional(),
  RATE_LIMIT_PER_MINUTE: VARIABLES.RATE_LIMIT_PER_MINUTE.schema.optional(),
  RATE_LIMIT_WRITES_PER_MINUTE: VARIABLES.RATE_LIMIT_WRITES_PER_MINUTE.schema.optional(),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: VARIABLES.WEBHOOK_ALLOW_PRIVATE_NETWORKS.schema.default(false),
  TRUST_PROXY: VARIABLES.TRUST_PROXY.schema.default(false),
  IMPORT_MAX_MEGABYTES: VARIABLES.IMPORT_MAX_MEGABYTES.schema.optional(),
  PERSONAL_DATA_RETENTION_DAYS: VARIABLES.PERSONAL_DATA_RETENTION_DAYS.schema.optional(),
});

async function main(): Promise<void> {
  const parsed = environment.safeParse(
    Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')),
  );
  if (!parsed.success) {
    process.stderr.write(
      `Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}\n`,
    );
    process.exit(78);
  }
  const env = parsed.data;
  // Every start of the services runs the retention job: each must know the retention chosen.
  const retention =
    env.PERSONAL_DATA_RETENTION_DAYS === undefined
      ? {}
      : { personalDataRetentionDays: Number(env.PERSONAL_DATA_RETENTION_DAYS) };
  const smtp = env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {};
  const siteUrl = env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`;
  // A command holds the data folder for a moment, on a free loopback port: imports resume at
  // start. Its services run the retention job too, with the retention chosen.
  const startForCommand = (options: Partial<EmbeddedOptions>) =>
    startEmbeddedParley({
      dataDir: env.DATA_DIR,
      host: '127.0.0.1',
      port: 0,
      resumeImports: false,
      logLevel: env.LOG_LEVEL,
      ...retention,
      ...(env.PUBLIC_BASE_URL ? { publicBaseUrl: env.PUBLIC_BASE_URL } : {}),
      webhooks: { allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS },
      ...options,
    });
  initTracing({ serviceName: 'parley-embedded' });
  if (process.argv[2] === 'import') {
    // Into the data folder, with the same services; nothing listens beyond loopback meanwhile.
    const code = await runImportCommand({
      args: process.argv.slice(3),
      out: process.stderr,
      connect: async () => {
        const parley = await startForCommand(smtp);
        return {
          target: embeddedImportTarget([parley.gateway, ...parley.services]),
          close: () => parley.close(),
        };
      },
    });
    process.exit(code);
  }
  if (process.argv[2] === 'export') {
    // Reads the data folder with the same services; the XML alone goes to stdout, logs to stderr.
    const code = await runExportCommand({
      args: process.argv.slice(3),
      out: process.stdout,
      log: process.stderr,
      connect: async () => {
        const parley = await startForCommand({ logDestination: destination(2) });
        const gateway = parley.gateway.app;
        const blog = await gateway.get(BlogIdentity, { strict: false }).name();
        return {
          services: gateway.get<symbol, ServiceClients>(SERVICE_CLIENTS, { strict: false }),
          site: {
            ...blog,
            url: siteUrl.replace(/\/+$/, ''),
          },
          close: () => parley.close(),
        };
      },
    });
    process.exit(code);
  }
  if (process.argv[2] === 'migrate-log') {
    // A copy of the data folder's logs, sealed, into a new folder: the old one is then destroyed.
    process.exit(
      await runEmbeddedLogMigration({
        dataDir: env.DATA_DIR,
        args: process.argv.slice(3),
        out: process.stderr,
      }),
    );
  }
  if (process.argv[2] === 'privacy') {
    // The data folder's Parley, with the same services; what a command prints alone goes to stdout.
    const code = await runPrivacyCommand({
      args: process.argv.slice(3),
      out: process.stdout,
      log: process.stderr,
      connect: async () => {
        const parley = await startForCommand({ logDestination: destination(2), ...smtp });
        const gateway = parley.gateway.app;
        const identity = gateway.get(IdentityService, { strict: false });
        const erasure = gateway.get(PersonalDataErasure, { strict: false });
        return {
          services: gateway.get<symbol, ServiceClients>(SERVICE_CLIENTS, { strict: false }),
          accountByEmail: (email) => identity.accountByEmail(email),
          publicBaseUrl: siteUrl,
          now: () => new Date(),
          erase: (request, actor) => erasure.erase(request, actor),
          close: () => parley.close(),
        };
      },
    });
    process.exit(code);
  }
  const started = Date.now();
  const parley = await startEmbeddedParley({
    dataDir: env.DATA_DIR,
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
    ...retention,
    ...(env.IMPORT_MAX_MEGABYTES === undefined
      ? {}
      : { importMaxBytes: env.IMPORT_MAX_MEGABYTES * 1024 * 1024 }),
    ...smtp,
    ...(env.PUBLIC_BASE_URL ? { publicBaseUrl: env.PUBLIC_BASE_URL } : {}),
    ...(env.METRICS_PORT === undefined ? {} : { metricsPort: env.METRICS_PORT }),
    ...(env.RATE_LIMIT_PER_MINUTE !== undefined || env.RATE_LIMIT_WRITES_PER_MINUTE !== undefined
      ? {
          rateLimits: {
            perMinute: env.RATE_LIMIT_PER_MINUTE ?? EMBEDDED_RATE_LIMITS.perMinute,
            writesPerMinute:
              env.RATE_LIMIT_WRITES_PER_MINUTE ?? EMBEDDED_RATE_LIMITS.writesPerMinute,
          },
        }
      : {}),
    webhooks: { allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS },
  });
  const url = parley.url.replace('127.0.0.1', 'localhost');
  const startMs = Date.now() - started;
  const demo = process.argv.includes('--seed-demo') ? await seedDemo(parley.url) : undefined;
  process.stdout.write(
    [
      '',
      `  Parley is running on ${url}  (embedded mode, started in ${startMs} ms)`,
      `  API docs:  ${url}/api/docs`,
      env.SMTP_URL
        ? `  Mail:      sent through ${env.SMTP_URL.replace(/\/\/[^@]*@/, '//')}`
        : `  Mailbox:   ${url}/dev/mailbox`,
      ...(parley.metricsUrl
        ? [`  Metrics:   ${parley.metricsUrl.replace('127.0.0.1', 'localhost')}/metrics`]
        : []),
      `  Data:      ${env.DATA_DIR}/`,
      ...(demo === undefined
        ? []
        : demo.seeded
          ? [
              `  Demo:      ${demo.postUrl?.replace('127.0.0.1', 'localhost') ?? ''}`,
              `             log in as ${demo.accounts.join(', ')} (password ${DEMO_PASSWORD})`,
            ]
          : ['  Demo:      posts exist already, nothing seeded']),
      '',
    ].join('\n') + '\n',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n  ${signal}: stopping Parley…\n`);
    const deadline = setTimeout(() => process.exit(1), 20_000);
    deadline.unref();
    parley.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

void main().catch((error: unknown) => {
  if (error instanceof FolderInUseError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(FOLDER_IN_USE_EXIT_CODE);
  }
  process.stderr.write(
    `Parley failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
