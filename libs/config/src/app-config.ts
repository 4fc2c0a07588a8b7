import { type Env, readVariables } from './load-config';
import type { AppName, TrustProxy } from './variables';

const BASE = [
  'NODE_ENV',
  'LOG_LEVEL',
  'HOST',
  'PORT',
  'METRICS_PORT',
  'SHUTDOWN_GRACE_MS',
  'KAFKA_BROKERS',
  'KAFKA_CLIENT_ID',
  'KAFKA_TOPIC_PREFIX',
  'KAFKA_TOPIC_PARTITIONS',
  'KAFKA_CONSUMER_MAX_WAIT_MS',
  'MONGODB_URI',
  'RELAY_POLL_MS',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
] as const;

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  partitions: number;
  consumerMaxWaitMs: number;
}

export interface BaseConfig {
  app: AppName;
  environment: 'development' | 'production' | 'test';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  http: { host: string; port: number };
  /** The scrape endpoint's own port, never routed by the public Service. */
  metrics: { port: number };
  shutdownGraceMs: number;
  kafka: KafkaConfig;
  mongo: { uri: string };
  relay: { pollMs: number };
  tracing: { otlpEndpoint: string | undefined };
}

export interface GatewayConfig extends BaseConfig {
  app: 'gateway';
  services: { postsUrl: string; commentsUrl: string; notificationsUrl: string; timeoutMs: number };
  auth: { jwtSecret: string; accessTtlSeconds: number; refreshTtlDays: number };
  cors: { origins: string[] };
  /** Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed. */
  trustProxy: TrustProxy;
  publicBaseUrl: string;
  smtp: { url: string; from: string };
  rateLimits: { perMinute: number; writesPerMinute: number };
  liveStreams: { perClient: number };
  /** Uploaded imports: the largest file taken, in bytes, and where it waits for its import. */
  imports: { maxBytes: number; dir?: string };
  /** The internal listener's port, never routed by the ingress. */
  internal: { port: number };
}

export interface NotificationsConfig extends BaseConfig {
  app: 'notifications';
  smtp: { url: string; from: string };
  tokens: { secret: string };
  publicBaseUrl: string;
  /** Internal base URL of the comments service, which opens the guests' sealed data. */
  commentsUrl: string;
  /** Internal base URL of the gateway's internal listener, which opens the accounts' sealed data. */
  identityUrl: string;
  delivery: { retryBaseDelayMs: number };
  webhooks: { allowPrivateNetworks: boolean; allowedNetworks: string[] };
}

export interface PostsConfig extends BaseConfig {
  app: 'posts';
  /** Days after publishing that comments close on new posts; 0 keeps them open. */
  commentsAutoCloseDays: number;
  /** The blog's name until an admin changes it. */
  blogTitle: string;
  /** Internal base URL of the gateway's internal listener, which opens the accounts' sealed data. */
  identityUrl: string;
}

export interface CommentsConfig extends BaseConfig {
  app: 'comments';
  /** Days IP addresses and user agents are kept for moderators before their keys are destroyed. */
  personalData: { retentionDays: number };
  /** Internal base URL of the gateway's internal listener, which opens the accounts' sealed data. */
  identityUrl: string;
}

export interface AppConfigs {
  gateway: GatewayConfig;
  posts: PostsConfig;
  comments: CommentsConfig;
  notifications: NotificationsConfig;
}

type BaseValues = ReturnType<typeof readVariables<typeof BASE>>;

function base(app: AppName, v: BaseValues): BaseConfig {
  return {
    app,
    environment: v.NODE_ENV,
    logLevel: v.LOG_LEVEL,
    http: { host: v.HOST, port: v.PORT },
    metrics: { port: v.METRICS_PORT },
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
    kafka: {
      brokers: v.KAFKA_BROKERS,
      clientId: v.KAFKA_CLIENT_ID,
      topicPrefix: v.KAFKA_TOPIC_PREFIX,
      partitions: v.KAFKA_TOPIC_PARTITIONS,
      consumerMaxWaitMs: v.KAFKA_CONSUMER_MAX_WAIT_MS,
    },
    mongo: { uri: v.MONGODB_URI },
    relay: { pollMs: v.RELAY_POLL_MS },
    tracing: { otlpEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT || undefined },
  };
}

/**
 * Reads and validates the configuration of one app. Throws a ConfigError that
 * names every bad or missing variable; callers print it and stop the process.
 */
export function loadConfig<A extends AppName>(app: A, env: Env = process.env): AppConfigs[A] {
  return builders[app](env);
}

const GATEWAY = [
  ...BASE,
  'POSTS_URL',
  'COMMENTS_URL',
  'NOTIFICATIONS_URL',
  'SERVICE_TIMEOUT_MS',
  'JWT_SECRET',
  'CORS_ORIGINS',
  'TRUST_PROXY',
  'PUBLIC_BASE_URL',
  'SMTP_URL',
  'MAIL_FROM',
  'ACCESS_TOKEN_TTL_SECONDS',
  'REFRESH_TOKEN_TTL_DAYS',
  'RATE_LIMIT_PER_MINUTE',
  'RATE_LIMIT_WRITES_PER_MINUTE',
  'LIVE_STREAMS_PER_CLIENT',
  'IMPORT_MAX_MEGABYTES',
  'IMPORT_DIR',
  'INTERNAL_PORT',
] as const;

const POSTS = [...BASE, 'COMMENTS_AUTO_CLOSE_DAYS', 'BLOG_TITLE', 'IDENTITY_URL'] as const;

const COMMENTS = [...BASE, 'PERSONAL_DATA_RETENTION_DAYS', 'IDENTITY_URL'] as const;

const NOTIFICATIONS = [
  ...BASE,
  'SMTP_URL',
  'MAIL_FROM',
  'TOKEN_SECRET',
  'PUBLIC_BASE_URL',
  'COMMENTS_URL',
  'IDENTITY_URL',
  'DELIVERY_RETRY_BASE_MS',
  'WEBHOOK_ALLOW_PRIVATE_NETWORKS',
  'WEBHOOK_ALLOWED_NETWORKS',
] as const;

const builders: { [A in AppName]: (env: Env) => AppConfigs[A] } = {
  gateway: (env) => {
    const v = readVariables('gateway', GATEWAY, env);
    return {
      ...base('gateway', v),
      app: 'gateway',
      services: {
        postsUrl: v.POSTS_URL,
        commentsUrl: v.COMMENTS_URL,
        notificationsUrl: v.NOTIFICATIONS_URL,
        timeoutMs: v.SERVICE_TIMEOUT_MS,
      },
      auth: {
        jwtSecret: v.JWT_SECRET,
        accessTtlSeconds: v.ACCESS_TOKEN_TTL_SECONDS,
        refreshTtlDays: v.REFRESH_TOKEN_TTL_DAYS,
      },
      cors: { origins: v.CORS_ORIGINS },
      trustProxy: v.TRUST_PROXY,
      publicBaseUrl: v.PUBLIC_BASE_URL,
      smtp: { url: v.SMTP_URL, from: v.MAIL_FROM },
      rateLimits: {
        perMinute: v.RATE_LIMIT_PER_MINUTE,
        writesPerMinute: v.RATE_LIMIT_WRITES_PER_MINUTE,
      },
      liveStreams: { perClient: v.LIVE_STREAMS_PER_CLIENT },
      imports: {
        maxBytes: v.IMPORT_MAX_MEGABYTES * 1024 * 1024,
        ...(v.IMPORT_DIR ? { dir: v.IMPORT_DIR } : {}),
      },
      internal: { port: v.INTERNAL_PORT },
    };
  },
  posts: (env) => {
    const v = readVariables('posts', POSTS, env);
    return {
      ...base('posts', v),
      app: 'posts',
      commentsAutoCloseDays: v.COMMENTS_AUTO_CLOSE_DAYS,
      blogTitle: v.BLOG_TITLE,
      identityUrl: v.IDENTITY_URL,
    };
  },
  comments: (env) => {
    const v = readVariables('comments', COMMENTS, env);
    return {
      ...base('comments', v),
      app: 'comments',
      personalData: { retentionDays: v.PERSONAL_DATA_RETENTION_DAYS },
      identityUrl: v.IDENTITY_URL,
    };
  },
  notifications: (env) => {
    const v = readVariables('notifications', NOTIFICATIONS, env);
    return {
      ...base('notifications', v),
      app: 'notifications',
      smtp: { url: v.SMTP_URL, from: v.MAIL_FROM },
      tokens: { secret: v.TOKEN_SECRET },
      publicBaseUrl: v.PUBLIC_BASE_URL,
      commentsUrl: v.COMMENTS_URL,
      identityUrl: v.IDENTITY_URL,
      delivery: { retryBaseDelayMs: v.DELIVERY_RETRY_BASE_MS },
      webhooks: {
        allowPrivateNetworks: v.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
        allowedNetworks: v.WEBHOOK_ALLOWED_NETWORKS,
      },
    };
  },
};
