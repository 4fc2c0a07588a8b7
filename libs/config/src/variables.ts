import ipaddr from 'ipaddr.js';
import { z } from 'zod';

export type AppName = 'gateway' | 'posts' | 'comments' | 'notifications';
export const APP_NAMES: readonly AppName[] = ['gateway', 'posts', 'comments', 'notifications'];

const DEFAULT_PORTS: Record<AppName, number> = {
  gateway: 3000,
  posts: 3001,
  comments: 3002,
  notifications: 3003,
};

/** How long IP addresses and user agents are kept, as WordPress's privacy tools suggest. */
export const DEFAULT_PERSONAL_DATA_RETENTION_DAYS = 30;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const httpUrl = z.url({ protocol: /^https?$/ });
const secret = z.string().min(32, 'must be at least 32 characters');
const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

/** Fastify's trustProxy: a flag, a hop count, or the proxies' addresses. */
export type TrustProxy = boolean | number | string[];

const trustProxy = z
  .string()
  .trim()
  .transform((value, context): TrustProxy => {
    if (value === 'true' || value === 'false') return value === 'true';
    if (/^\d+$/.test(value)) return Number(value);
    const proxies = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
    const named = ['loopback', 'linklocal', 'uniquelocal'];
    const bad = proxies.filter(
      (item) => !named.includes(item) && !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(item),
    );
    if (proxies.length === 0 || bad.length > 0)
      context.addIssue({
        code: 'custom',
        message: 'must be true, false, a hop count or addresses / CIDRs separated by commas',
      });
    return proxies;
  });

const brokerList = list.pipe(
  z
    .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port'))
    .min(1, 'at least one broker'),
);

const mongoUri = z
  .string()
  .regex(/^mongodb(\+srv)?:\/\/.+/, 'must be a mongodb:// or mongodb+srv:// URI')
  .refine(
    (uri) => /^mongodb(\+srv)?:\/\/[^/]+\/[^/?]+/.test(uri),
    'must name a database (…/parley_posts)',
  );

const smtpUrl = z.string().regex(/^smtps?:\/\/.+/, 'must be an smtp:// or smtps:// URL');

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

const networkList = list.pipe(
  z.array(z.string().refine((cidr) => ipaddr.isValidCIDR(cidr), 'each network must be a CIDR')),
);

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export interface VariableSpec {
  readonly schema: z.ZodType;
  readonly description: string;
  /** Shown in the documentation; undefined means the variable is required. */
  readonly defaultValue?: string | ((app: AppName) => string);
  readonly apps: readonly AppName[];
}

const ALL = APP_NAMES;

/** Every environment variable Parley reads, in one place. */
export const VARIABLES = {
  NODE_ENV: {
    schema: z.enum(['development', 'production', 'test']),
    description: 'Runtime environment.',
    defaultValue: 'development',
    apps: ALL,
  },
  LOG_LEVEL: {
    schema: logLevel,
    description: 'Minimum level of the JSON log lines written to stdout.',
    defaultValue: 'info',
    apps: ALL,
  },
  HOST: {
    schema: z.string().min(1),
    description: 'Address the HTTP server listens on.',
    defaultValue: '0.0.0.0',
    apps: ALL,
  },
  PORT: {
    schema: port,
    description: 'Port the HTTP server listens on.',
    defaultValue: (app: AppName) => String(DEFAULT_PORTS[app]),
    apps: ALL,
  },
  METRICS_PORT: {
    schema: port,
    description:
      'Port of the Prometheus scrape endpoint (`/metrics`), apart from the HTTP port so that the public Service never exposes it; 0 picks a free port.',
    defaultValue: '9464',
    apps: ALL,
  },
  INTERNAL_PORT: {
    schema: port,
    description:
      "Port of the gateway's internal listener, where the services open an account's sealed address and name (`POST /v1/personal-data/opened`): reachable by the services only, never routed by the ingress or the public Service; 0 picks a free port.",
    defaultValue: '3100',
    apps: ['gateway'],
  },
  SHUTDOWN_GRACE_MS: {
    schema: positiveInt,
    description:
      'Time given to in-flight requests and consumers to finish after SIGTERM before the process exits.',
    defaultValue: '20000',
    apps: ALL,
  },
  KAFKA_BROKERS: {
    schema: brokerList,
    description: 'Comma-separated Kafka bootstrap brokers (host:port).',
    apps: ALL,
  },
  KAFKA_CLIENT_ID: {
    schema: z.string().min(1),
    description: 'Kafka client id; consumer group names are derived from it.',
    defaultValue: (app: AppName) => `parley-${app}`,
    apps: ALL,
  },
  KAFKA_TOPIC_PREFIX: {
    schema: z.string().regex(/^[a-zA-Z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only'),
    description: 'Prefix added to every topic name (for shared clusters and isolated test runs).',
    defaultValue: '',
    apps: ALL,
  },
  KAFKA_TOPIC_PARTITIONS: {
    schema: positiveInt.max(1000),
    description:
      'Partitions of the topics a service creates at boot; the ceiling for consumer replicas of one group.',
    defaultValue: '12',
    apps: ALL,
  },
  KAFKA_CONSUMER_MAX_WAIT_MS: {
    schema: positiveInt.max(5000),
    description:
      'Longest time a fetch waits for new messages; low values keep notification latency low.',
    defaultValue: '20',
    apps: ALL,
  },
  MONGODB_URI: {
    schema: mongoUri,
    description: "MongoDB connection string including the service's own database name.",
    apps: ALL,
  },
  COMMENTS_AUTO_CLOSE_DAYS: {
    schema: z.coerce.number().int().min(0).max(3650),
    description:
      "The blog's default for new posts: close comments this many days after publishing (0 keeps them open). Authors change it per post.",
    defaultValue: '0',
    apps: ['posts'],
  },
  PERSONAL_DATA_RETENTION_DAYS: {
    schema: positiveInt.max(3650),
    description:
      'Days the IP address and user agent of a comment are kept for moderators; then the retention job destroys their keys (the comment and its author stay).',
    defaultValue: String(DEFAULT_PERSONAL_DATA_RETENTION_DAYS),
    apps: ['comments'],
  },
  BLOG_TITLE: {
    schema: z.string().trim().min(1).max(120),
    description:
      "The blog's name until an admin changes it on the settings page (then the page's choice stays).",
    defaultValue: 'Parley',
    apps: ['posts'],
  },
  POSTS_URL: {
    schema: httpUrl,
    description: 'Internal base URL of the posts service.',
    apps: ['gateway'],
  },
  COMMENTS_URL: {
    schema: httpUrl,
    description:
      'Internal base URL of the comments service. Notifications asks it to open the sealed names and addresses of guests (it keeps their keys).',
    apps: ['gateway', 'notifications'],
  },
  IDENTITY_URL: {
    schema: httpUrl,
    description:
      "Internal base URL of the gateway's internal listener (its INTERNAL_PORT), which opens the sealed addresses and names of accounts (the gateway's identity keeps their keys).",
    apps: ['posts', 'comments', 'notifications'],
  },
  NOTIFICATIONS_URL: {
    schema: httpUrl,
    description: 'Internal base URL of the notifications service.',
    apps: ['gateway'],
  },
  SERVICE_TIMEOUT_MS: {
    schema: positiveInt.max(60000),
    description: 'Timeout of every internal call from the gateway to a service.',
    defaultValue: '5000',
    apps: ['gateway'],
  },
  JWT_SECRET: {
    schema: secret,
    description: 'HMAC key that signs access tokens.',
    apps: ['gateway'],
  },
  TRUST_PROXY: {
    schema: trustProxy,
    description:
      'Which proxies in front of the gateway are believed about the client (X-Forwarded-For) and the scheme (X-Forwarded-Proto, which turns on HSTS and upgrade-insecure-requests): `false` (none), `true` (any), a hop count, or comma-separated addresses / CIDRs (`loopback`, `uniquelocal` too).',
    defaultValue: 'false',
    apps: ['gateway'],
  },
  CORS_ORIGINS: {
    schema: list,
    description: 'Comma-separated origins allowed to call the API from a browser.',
    defaultValue: '',
    apps: ['gateway'],
  },
  PUBLIC_BASE_URL: {
    schema: httpUrl,
    description: 'Public URL of the site, used in links sent by email.',
    defaultValue: 'http://localhost:3000',
    apps: ['gateway', 'notifications'],
  },
  TOKEN_SECRET: {
    schema: secret,
    description: 'HMAC key that signs confirmation, unsubscribe and subscription-management links.',
    apps: ['notifications'],
  },
  SMTP_URL: {
    schema: smtpUrl,
    description:
      'SMTP server that mail is sent through (notifications; address verification from the gateway).',
    apps: ['gateway', 'notifications'],
  },
  MAIL_FROM: {
    schema: z.string().min(3),
    description: 'From address of the mail Parley sends.',
    defaultValue: 'Parley <notifications@parley.localhost>',
    apps: ['gateway', 'notifications'],
  },
  DELIVERY_RETRY_BASE_MS: {
    schema: positiveInt.max(86_400_000),
    description:
      'Wait before the first retry of an email or webhook delivery that failed for now (an SMTP 4xx, a network error); each further retry waits twice as long, up to a day.',
    defaultValue: '60000',
    apps: ['notifications'],
  },
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: {
    schema: flag,
    description:
      'Development only: let webhooks go to loopback, private, link-local and other non-public addresses (checked after DNS resolution, on the address connected to).',
    defaultValue: 'false',
    apps: ['notifications'],
  },
  WEBHOOK_ALLOWED_NETWORKS: {
    schema: networkList,
    description:
      'Comma-separated networks (CIDR, e.g. `10.1.2.0/24`) whose addresses may receive webhooks although they are not public.',
    defaultValue: '',
    apps: ['notifications'],
  },
  ACCESS_TOKEN_TTL_SECONDS: {
    schema: positiveInt.max(86400),
    description: 'Lifetime of an access token (JWT); role changes take effect at the next refresh.',
    defaultValue: '900',
    apps: ['gateway'],
  },
  REFRESH_TOKEN_TTL_DAYS: {
    schema: positiveInt.max(365),
    description: 'Lifetime of a refresh token; every refresh rotates it.',
    defaultValue: '30',
    apps: ['gateway'],
  },
  RATE_LIMIT_PER_MINUTE: {
    schema: positiveInt,
    description: 'Requests a client (by IP, and by account when logged in) may make per minute.',
    defaultValue: '600',
    apps: ['gateway'],
  },
  RATE_LIMIT_WRITES_PER_MINUTE: {
    schema: positiveInt,
    description: 'Comments posted and authentication attempts a client may make per minute.',
    defaultValue: '20',
    apps: ['gateway'],
  },
  LIVE_STREAMS_PER_CLIENT: {
    schema: positiveInt.max(1000),
    description:
      'Live (SSE) streams a client may hold open at once: by account when logged in, otherwise by IP; an IP may hold four times as many. One more is refused with 429.',
    defaultValue: '10',
    apps: ['gateway'],
  },
  IMPORT_MAX_MEGABYTES: {
    schema: positiveInt.max(4096),
    description:
      'Largest WordPress export an author or admin may upload (POST /api/v1/imports), in MiB; it is streamed to a temporary file, never held in memory, and a larger one is refused with 413.',
    defaultValue: '256',
    apps: ['gateway'],
  },
  IMPORT_DIR: {
    schema: z.string(),
    description:
      "Folder where an uploaded WordPress export waits until its import ends (then it is removed); empty: `parley-imports` in the system's temporary folder. A gateway that stopped mid-import is taken over by the next one to start (or by another replica after 30 s), which runs the file again if it sees it: give every replica the same volume here, or such an import fails asking for the file again.",
    defaultValue: '',
    apps: ['gateway'],
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: z.union([z.literal(''), httpUrl]),
    description:
      'OTLP/HTTP collector that traces are exported to; empty keeps them in the process (the context still propagates).',
    defaultValue: '',
    apps: ALL,
  },
  RELAY_POLL_MS: {
    schema: positiveInt.max(60000),
    description: 'Fallback poll of the outbox relay; appends in the same process wake it at once.',
    defaultValue: '50',
    apps: ALL,
  },
} satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLES;

export function defaultFor(name: VariableName, app: AppName): string | undefined {
  const spec: VariableSpec = VARIABLES[name];
  if (spec.defaultValue === undefined) return undefined;
  return typeof spec.defaultValue === 'function' ? spec.defaultValue(app) : spec.defaultValue;
}
