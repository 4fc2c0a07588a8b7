import { join, resolve } from 'node:path';
import { type Mailer, MemoryMailbox, SmtpMailer } from '@parley/mail';
import { createLogger } from '@parley/observability';
import type { DestinationStream } from 'pino';
import { PersonalDataCipher } from '@parley/privacy';
import {
  IN_PROCESS,
  InProcessServiceTransport,
  type KeptReadModelsOptions,
  LocalPersonalDataOpener,
  type RunningService,
  type SealedKeptFile,
  type ServiceDefinition,
  type StartedService,
  createEmbeddedInfrastructure,
  untilReadModelsSettled,
  keepReadModels,
  keptReadModelsFile,
  keptReadModelsOf,
  nothingUnpublished,
  openEmbeddedPlatform,
  readKeptFile,
  restoreReadModels,
  type ServiceInfrastructure,
  startService,
} from '@parley/platform';
import { commentsService } from '../../comments/src/comments.service';
import { notificationsService } from '../../notifications/src/notifications.service';
import { postsService } from '../../posts/src/posts.service';
import { gatewayService } from '../../gateway/src/gateway.service';
import { loadOrCreateSecrets } from './secrets';

/** A person's browser on a blog of one machine: generous, yet a script cannot flood it. */
export const EMBEDDED_RATE_LIMITS = { perMinute: 1200, writesPerMinute: 30 } as const;

export interface EmbeddedOptions {
  /** Event logs, topics and secrets live here; undefined keeps everything in memory. */
  dataDir?: string;
  host: string;
  port: number;
  logLevel: string;
  smtpUrl?: string;
  publicBaseUrl?: string;
  /** Requests per minute per client; writes are limited more tightly. */
  rateLimits?: { perMinute: number; writesPerMinute: number };
  /** Where log lines go instead of stdout. */
  logDestination?: DestinationStream;
  /** Origins whose pages may call the API from the browser. */
  corsOrigins?: string[];
  /** Proxies in front believed about the client's address and scheme (TRUST_PROXY). */
  trustProxy?: boolean | number | string[];
  /** Live streams a client may hold open at once. */
  liveStreamsPerClient?: number;
  /** Serves the process's Prometheus metrics on this port of `host` (0: a free one); none when undefined. */
  metricsPort?: number;
  /** The largest WordPress export an author may upload, in bytes (IMPORT_MAX_MEGABYTES). */
  importMaxBytes?: number;
  /**
   * Whether an uploaded import that a previous run left unfinished is taken over (yes when not
   * given): a command that opens the data folder for a moment leaves it to `npm start`.
   */
  resumeImports?: boolean;
  /** Development: webhooks may go to loopback and private addresses. */
  webhooks?: { allowPrivateNetworks: boolean };
  /** Days IP addresses and user agents are kept (PERSONAL_DATA_RETENTION_DAYS). */
  personalDataRetentionDays?: number;
}

export interface EmbeddedParley {
  url: string;
  gateway: RunningService;
  /** The services behind it, which answer only the gateway and each other, in this process. */
  services: StartedService[];
  mailbox: MemoryMailbox;
  /** Where Prometheus scrapes the process, when `metricsPort` was given. */
  metricsUrl?: string;
  close(): Promise<void>;
}

/** The services of the one process, each with its folder in the data folder. */
const SERVICE_NAMES = ['gateway', 'posts', 'comments', 'notifications'];

/**
 * The whole platform in one process: the same four services, deciders, policies and HTTP
 * surfaces, on the embedded adapters (event logs on disk, one in-process bus, read models
 * in memory rebuilt at start). The gateway is the only door, and the only listener: it hands
 * its requests to the services' apps in process, without a socket.
 */
export async function startEmbeddedParley(options: EmbeddedOptions): Promise<EmbeddedParley> {
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const logger = createLogger('parley', options.logLevel, options.logDestination);
  // First, as it holds the data folder: nothing in it is read or written by a second process.
  const platform = await openEmbeddedPlatform({ ...(dataDir ? { dataDir } : {}), logger });
  const secrets = dataDir
    ? await loadOrCreateSecrets(dataDir).catch(async (error: unknown) => {
        await platform.close();
        throw error;
      })
    : {
        jwtSecret: `${Math.random().toString(36)}-embedded-in-memory-secret-key`,
        tokenSecret: `${Math.random().toString(36)}-embedded-token-secret-key`,
      };
  const mailbox = new MemoryMailbox();
  const mailer: Mailer = options.smtpUrl ? new SmtpMailer(options.smtpUrl) : mailbox;
  const publicBaseUrl = options.publicBaseUrl ?? `http://localhost:${options.port}`;

  const services: StartedService[] = [];
  const kept: KeptReadModelsOptions[] = [];
  // Each service's kept file is read from disk now, while the services before it start.
  const reading = new Map<string, Promise<SealedKeptFile | null>>(
    dataDir
      ? SERVICE_NAMES.map((name) => {
          const read = readKeptFile(keptReadModelsFile(dataDir, name));
          // Its error, if any, is the restore's to report.
          read.catch(() => undefined);
          return [name, read] as const;
        })
      : [],
  );
  // The read models the last stop kept, when there are: the logs are replayed only from there.
  const restore = async (definition: ServiceDefinition, infra: ServiceInfrastructure) => {
    const options = dataDir ? keptReadModelsOf(infra, definition, dataDir) : undefined;
    if (!options) return;
    kept.push(options);
    const read = reading.get(definition.name);
    reading.delete(definition.name);
    const docs = await restoreReadModels(options, read);
    if (docs !== null) infra.logger.info({ docs }, 'read models taken from the last stop');
  };
  const start = async (definition: ServiceDefinition) => {
    const infra = await createEmbeddedInfrastructure(
      platform,
      definition.name,
      logger.child({ app: definition.name }),
    );
    await restore(definition, infra);
    const started = await startService(definition, infra, IN_PROCESS);
    services.push(started);
    return new InProcessServiceTransport(started.app);
  };
  try {
    // First, as the others open an account's address and name with its keys, in process.
    const gatewayInfra = await createEmbeddedInfrastructure(
      platform,
      'gateway',
      logger.child({ app: 'gateway' }),
    );
    const accounts = new LocalPersonalDataOpener(new PersonalDataCipher(gatewayInfra.personKeys));
    const posts = await start(postsService(undefined, { accounts }));
    const comments = await start(
      commentsService({
        accounts,
        ...(options.personalDataRetentionDays === undefined
          ? {}
          : { personalData: { retentionDays: options.personalDataRetentionDays } }),
      }),
    );
    const notifications = await start(
      notificationsService({
        mailer,
        from: 'Parley <notifications@parley.localhost>',
        tokenSecret: secrets.tokenSecret,
        publicBaseUrl,
        comments,
        accounts,
        ...(options.webhooks ? { webhooks: options.webhooks } : {}),
      }),
    );
    const gatewayDefinition = gatewayService({
      services: { transports: { posts, comments, notifications }, timeoutMs: 5000 },
      auth: { jwtSecret: secrets.jwtSecret, accessTtlSeconds: 900, refreshTtlDays: 30 },
      publicBaseUrl,
      mail: { mailer, from: 'Parley <notifications@parley.localhost>' },
      cors: { origins: options.corsOrigins ?? [] },
      ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
      rateLimits: options.rateLimits ?? EMBEDDED_RATE_LIMITS,
      ...(options.liveStreamsPerClient
        ? { liveStreams: { perClient: options.liveStreamsPerClient } }
        : {}),
      ...(options.smtpUrl ? {} : { devMailbox: mailbox }),
      imports: {
        ...(options.importMaxBytes ? { maxBytes: options.importMaxBytes } : {}),
        // In the data folder: an upload outlives a stop, and the next start imports it.
        ...(dataDir ? { dir: join(dataDir, 'gateway', 'uploads') } : {}),
        resume: options.resumeImports ?? true,
      },
    });
    await restore(gatewayDefinition, gatewayInfra);
    const gateway = await startService(gatewayDefinition, gatewayInfra, {
      host: options.host,
      port: options.port,
      // One registry per process: the gateway's scrape endpoint shows all four services.
      ...(options.metricsPort === undefined ? {} : { metricsPort: options.metricsPort }),
    });
    services.push(gateway);
    // What the last stop kept is taken as it is first asked for; the rest now, between requests.
    void (async () => {
      for (const options of kept) await options.store.takeRestored();
    })().catch((error: unknown) =>
      logger.error({ err: error }, 'could not take the kept read models'),
    );
    return {
      url: gateway.url,
      ...(gateway.metricsUrl ? { metricsUrl: gateway.metricsUrl } : {}),
      gateway,
      services: services.filter((s) => s !== gateway),
      mailbox,
      async close() {
        // What was written reaches every read model first, so that what is kept holds it all.
        const settled = kept.length > 0 && (await untilReadModelsSettled(services, kept));
        // The door first, then what stands behind it, then what they share.
        for (const running of [...services].reverse()) await running.app.close();
        if (settled && (await nothingUnpublished(services)))
          for (const options of kept)
            await keepReadModels(options).catch((error: unknown) => {
              // Not kept: the next start replays the logs, as it would after a crash.
              logger.warn({ err: error, file: options.file }, 'could not keep the read models');
            });
        await mailer.close();
        await platform.close();
      },
    };
  } catch (error) {
    for (const running of services.reverse()) await running.app.close().catch(() => undefined);
    await platform.close().catch(() => undefined);
    throw error;
  }
}
