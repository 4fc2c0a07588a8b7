import { SmtpMailer } from '@parley/mail';
import type { TokensResponse } from '@parley/contracts';
import type { StartedService } from '@parley/platform';
import {
  type HarnessMode,
  type HarnessOptions,
  type JsonCaller,
  type ServiceHarness,
  MailCatcher,
  startServiceHarness,
  uniqueName,
  freePort,
  jsonCaller,
} from '@parley/testing';
import { commentsService } from '../../apps/comments/src/comments.service';
import { startEmbeddedParley } from '../../apps/standalone/src/embedded-platform';
import { gatewayService } from '../../apps/gateway/src/gateway.service';
import { notificationsService } from '../../apps/notifications/src/notifications.service';
import { postsService } from '../../apps/posts/src/posts.service';

/** Links in mail point here; tests follow them on the gateway. */
export const PUBLIC_BASE_URL = 'https://blog.example';

/** The password of the accounts the tests register. */
export const PASSWORD = 'correct horse battery staple';

export interface ParleyStack {
  /** The gateway: the only door. */
  url: string;
  /** The gateway's scrape endpoint's server, when asked for. */
  metricsUrl?: string;
  /** Each service's own harness, on the distributed stack (its round trips to the database). */
  services?: Record<ServiceName, ServiceHarness>;
  /** The services running in this process, for what only an operator does (an import). */
  running: StartedService[];
  close(): Promise<void>;
}

export type ServiceName = 'posts' | 'comments' | 'notifications' | 'gateway';

export interface StackOptions {
  smtpUrl: string;
  rateLimits?: { perMinute: number; writesPerMinute: number };
  liveStreamsPerClient?: number;
  /** Serves the metrics of the embedded process on a free port of its own. */
  metrics?: boolean;
  /** The largest WordPress export the gateway takes as an upload, in bytes. */
  importMaxBytes?: number;
  /** Embedded: the data folder, as `npm start` keeps one (memory only without it). */
  dataDir?: string;
  /** Believe X-Forwarded-For, as behind a proxy. */
  trustProxy?: boolean;
  /** Distributed: a Kafka broker and Mongo-compatible server of the test's own. */
  servers?: HarnessOptions['servers'];
}

const JWT_SECRET = 'an-end-to-end-secret-of-at-least-32-chars';
const TOKEN_SECRET = 'an-end-to-end-link-token-secret-32-chars';

/**
 * All four services, as operators run them: each its own service on the real Kafka broker and
 * Mongo-compatible server with one topic prefix between them ('distributed'), or together in
 * one process on the embedded adapters, as `npm start` runs them ('embedded').
 */
export async function startParleyStack(
  mode: HarnessMode,
  options: StackOptions,
): Promise<ParleyStack> {
  const rateLimits = options.rateLimits ?? { perMinute: 1000, writesPerMinute: 100 };
  if (mode === 'embedded') {
    const parley = await startEmbeddedParley({
      host: '127.0.0.1',
      port: 0,
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      smtpUrl: options.smtpUrl,
      publicBaseUrl: PUBLIC_BASE_URL,
      rateLimits,
      corsOrigins: [PUBLIC_BASE_URL],
      ...(options.liveStreamsPerClient
        ? { liveStreamsPerClient: options.liveStreamsPerClient }
        : {}),
      ...(options.metrics ? { metricsPort: 0 } : {}),
      ...(options.importMaxBytes ? { importMaxBytes: options.importMaxBytes } : {}),
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    });
    return {
      url: parley.url,
      ...(parley.metricsUrl ? { metricsUrl: parley.metricsUrl } : {}),
      running: [parley.gateway, ...parley.services],
      close: () => parley.close(),
    };
  }
  const topicPrefix = uniqueName('story').replace(/[^a-zA-Z0-9._-]/g, '-');
  const started: ServiceHarness[] = [];
  const start = async (definition: Parameters<typeof startServiceHarness>[0]) => {
    const harness = await startServiceHarness(definition, 'distributed', {
      topicPrefix,
      ...(options.servers ? { servers: options.servers } : {}),
    });
    started.push(harness);
    return harness;
  };
  const mailer = new SmtpMailer(options.smtpUrl);
  // The gateway starts last, and the others are given its internal listener's address first.
  const internal = { host: '127.0.0.1', port: await freePort() };
  const identityUrl = `http://127.0.0.1:${internal.port}`;
  try {
    const posts = await start(postsService(undefined, { identityUrl }));
    const comments = await start(commentsService({ identityUrl }));
    const notifications = await start(
      notificationsService({
        mailer,
        from: 'Parley <notifications@blog.example>',
        tokenSecret: TOKEN_SECRET,
        publicBaseUrl: PUBLIC_BASE_URL,
        commentsUrl: comments.url,
        identityUrl,
      }),
    );
    const gateway = await start(
      gatewayService({
        services: {
          postsUrl: posts.url,
          commentsUrl: comments.url,
          notificationsUrl: notifications.url,
          timeoutMs: 5000,
        },
        auth: { jwtSecret: JWT_SECRET, accessTtlSeconds: 900, refreshTtlDays: 30 },
        publicBaseUrl: PUBLIC_BASE_URL,
        mail: { mailer, from: 'Parley <accounts@blog.example>' },
        cors: { origins: [PUBLIC_BASE_URL] },
        rateLimits,
        internal,
        ...(options.liveStreamsPerClient
          ? { liveStreams: { perClient: options.liveStreamsPerClient } }
          : {}),
        ...(options.importMaxBytes ? { imports: { maxBytes: options.importMaxBytes } } : {}),
        ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
      }),
    );
    return {
      url: gateway.url,
      services: { posts, comments, notifications, gateway },
      running: started.map((harness) => harness.running),
      async close() {
        for (const harness of [...started].reverse()) await harness.close();
        await mailer.close();
      },
    };
  } catch (error) {
    for (const harness of started.reverse()) await harness.close().catch(() => undefined);
    await mailer.close();
    throw error;
  }
}

export interface StackForTests {
  /** The mail catcher the stack sends through. */
  smtp: MailCatcher;
  /** The running stack, once the `beforeAll` has started it. */
  parley(): ParleyStack;
  /** `callJson` on the stack's gateway. */
  call: JsonCaller;
}

/**
 * A stack with a mail catcher of its own for the tests of the `describe` this is called in:
 * started before them (within `startMs` when given), closed after them.
 */
export function stackForTests(mode: HarnessMode, startMs?: number): StackForTests {
  const smtp = new MailCatcher();
  let parley: ParleyStack | undefined;
  beforeAll(async () => {
    await smtp.start();
    parley = await startParleyStack(mode, { smtpUrl: smtp.url });
  }, startMs);
  afterAll(async () => {
    await parley?.close();
    await smtp.stop();
  });
  const running = () => {
    if (!parley) throw new Error('the stack is not running: use it within a test');
    return parley;
  };
  return { smtp, parley: running, call: jsonCaller(() => running().url) };
}

/** Registers an account through the gateway and expects it created; its tokens. */
export async function registerAccount(
  call: JsonCaller,
  email: string,
  displayName: string,
): Promise<TokensResponse> {
  const account = await call<TokensResponse>('POST', '/api/v1/auth/register', {
    email,
    password: PASSWORD,
    displayName,
  });
  expect(account.status).toBe(201);
  return account.body;
}
