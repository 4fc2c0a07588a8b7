import { ConfigError, loadConfig } from './index';

const SECRET = 'x'.repeat(32);

const valid = {
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/parley_posts',
  IDENTITY_URL: 'http://gateway:3100',
};

/** What the gateway needs besides what every service does. */
const gateway = {
  ...valid,
  POSTS_URL: 'http://posts:3001',
  COMMENTS_URL: 'http://comments:3002',
  NOTIFICATIONS_URL: 'http://notifications:3003',
  JWT_SECRET: SECRET,
  SMTP_URL: 'smtp://mail:1025',
};

function problemsOf(action: () => unknown): Record<string, string> {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) {
      return Object.fromEntries(error.problems.map((p) => [p.variable, p.reason]));
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('builds a typed, nested configuration with defaults', () => {
    const config = loadConfig('posts', valid);
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(config.kafka.partitions).toBe(12);
    expect(config.http).toEqual({ host: '0.0.0.0', port: 3001 });
    expect(config.mongo.uri).toBe(valid.MONGODB_URI);
  });

  it('names every missing variable at once', () => {
    const problems = problemsOf(() => loadConfig('notifications', {}));
    expect(Object.keys(problems).sort()).toEqual([
      'COMMENTS_URL',
      'IDENTITY_URL',
      'KAFKA_BROKERS',
      'MONGODB_URI',
      'SMTP_URL',
      'TOKEN_SECRET',
    ]);
    expect(problems.KAFKA_BROKERS).toMatch(/required/);
  });

  it('names a bad value and says why, without echoing secrets', () => {
    const problems = problemsOf(() =>
      loadConfig('gateway', {
        ...valid,
        PORT: 'eighty',
        KAFKA_BROKERS: 'localhost',
        MONGODB_URI: 'mongodb://127.0.0.1:27017',
        POSTS_URL: 'http://posts:3001',
        COMMENTS_URL: 'ftp://comments',
        NOTIFICATIONS_URL: 'http://notifications:3003',
        JWT_SECRET: 'short-secret-value',
      }),
    );
    expect(Object.keys(problems).sort()).toEqual([
      'COMMENTS_URL',
      'JWT_SECRET',
      'KAFKA_BROKERS',
      'MONGODB_URI',
      'PORT',
      'SMTP_URL',
    ]);
    expect(problems.KAFKA_BROKERS).toMatch(/host:port/);
    expect(problems.MONGODB_URI).toMatch(/database/);
    expect(problems.JWT_SECRET).toMatch(/at least 32/);
    expect(problems.JWT_SECRET).not.toContain('short-secret-value');
  });

  it('accepts a complete gateway configuration', () => {
    const config = loadConfig('gateway', {
      ...gateway,
      CORS_ORIGINS: 'https://blog.example, https://www.blog.example',
    });
    expect(config.services.commentsUrl).toBe('http://comments:3002');
    expect(config.cors.origins).toEqual(['https://blog.example', 'https://www.blog.example']);
    expect(config.liveStreams).toEqual({ perClient: 10 });
    expect(config.internal).toEqual({ port: 3100 });
  });

  it("gives the services the gateway's internal listener, where accounts' data is opened", () => {
    expect(loadConfig('comments', valid).identityUrl).toBe('http://gateway:3100');
    expect(loadConfig('posts', valid).identityUrl).toBe('http://gateway:3100');
    const { IDENTITY_URL: _none, ...without } = valid;
    expect(problemsOf(() => loadConfig('comments', without))).toEqual({
      IDENTITY_URL: expect.stringMatching(/required/),
    });
  });

  it('serves metrics on a port of their own, 9464 unless told', () => {
    expect(loadConfig('comments', valid).metrics).toEqual({ port: 9464 });
    expect(loadConfig('comments', { ...valid, METRICS_PORT: '9100' }).metrics).toEqual({
      port: 9100,
    });
    expect(problemsOf(() => loadConfig('comments', { ...valid, METRICS_PORT: 'ninety' }))).toEqual({
      METRICS_PORT: expect.stringMatching(/number/),
    });
  });

  it('keeps IP addresses and user agents 30 days unless told, and at least a day', () => {
    expect(loadConfig('comments', valid).personalData).toEqual({ retentionDays: 30 });
    expect(
      loadConfig('comments', { ...valid, PERSONAL_DATA_RETENTION_DAYS: '7' }).personalData,
    ).toEqual({ retentionDays: 7 });
    expect(
      problemsOf(() => loadConfig('comments', { ...valid, PERSONAL_DATA_RETENTION_DAYS: '0' })),
    ).toEqual({ PERSONAL_DATA_RETENTION_DAYS: expect.any(String) });
  });

  it('keeps webhooks to public addresses unless private networks are allowed', () => {
    const notifications = {
      ...valid,
      SMTP_URL: 'smtp://mail:1025',
      TOKEN_SECRET: SECRET,
      COMMENTS_URL: 'http://comments:3002',
    };
    expect(loadConfig('notifications', notifications).webhooks).toEqual({
      allowPrivateNetworks: false,
      allowedNetworks: [],
    });
    const development = loadConfig('notifications', {
      ...notifications,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_ALLOWED_NETWORKS: '10.1.2.0/24, fd00::/8',
    });
    expect(development.webhooks).toEqual({
      allowPrivateNetworks: true,
      allowedNetworks: ['10.1.2.0/24', 'fd00::/8'],
    });
    const problems = problemsOf(() =>
      loadConfig('notifications', {
        ...notifications,
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'yes',
        WEBHOOK_ALLOWED_NETWORKS: '10.1.2.0',
      }),
    );
    expect(Object.keys(problems).sort()).toEqual([
      'WEBHOOK_ALLOWED_NETWORKS',
      'WEBHOOK_ALLOW_PRIVATE_NETWORKS',
    ]);
    expect(problems.WEBHOOK_ALLOWED_NETWORKS).toMatch(/CIDR/);
  });

  it('believes no proxy unless told which: a flag, a hop count or addresses', () => {
    expect(loadConfig('gateway', gateway).trustProxy).toBe(false);
    expect(loadConfig('gateway', { ...gateway, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig('gateway', { ...gateway, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(
      loadConfig('gateway', { ...gateway, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy,
    ).toEqual(['loopback', '10.0.0.0/8']);
    expect(
      problemsOf(() => loadConfig('gateway', { ...gateway, TRUST_PROXY: 'the ingress' })),
    ).toEqual({ TRUST_PROXY: expect.stringMatching(/hop count/) });
  });
});
