import { runEntryPoint } from '@parley/testing';

jest.setTimeout(120_000);

/** Runs an app's compiled main with exactly this environment; answers how it ended. */
const run = (app: string, env: Record<string, string>) =>
  runEntryPoint(app, [], { env, isolated: true });

describe('a service process with a bad configuration', () => {
  it.each(['posts', 'comments', 'notifications'])(
    '%s stops at once with exit code 78, naming each missing variable',
    async (app) => {
      const { code, stderr } = await run(app, {});
      expect(code).toBe(78);
      expect(stderr).toContain(`Invalid configuration for ${app}:`);
      expect(stderr).toMatch(/^ {2}KAFKA_BROKERS: /m);
      expect(stderr).toMatch(/^ {2}MONGODB_URI: /m);
      // A message for an operator, not a stack trace.
      expect(stderr).not.toMatch(/^\s+at /m);
    },
  );

  it('names a bad value and why, without echoing it', async () => {
    const { code, stderr } = await run('notifications', {
      KAFKA_BROKERS: '127.0.0.1:9092',
      MONGODB_URI: 'not-a-mongo-uri',
      PORT: 'eighty',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      TOKEN_SECRET: 'short-secret-value',
      PUBLIC_BASE_URL: 'https://blog.example',
    });
    expect(code).toBe(78);
    expect(stderr).toMatch(/^ {2}MONGODB_URI: .+/m);
    expect(stderr).toMatch(/^ {2}PORT: .+/m);
    expect(stderr).toMatch(/^ {2}TOKEN_SECRET: .+/m);
    expect(stderr).not.toContain('short-secret-value');
  });

  it('stops the gateway the same way, on a bad port', async () => {
    const { code, stderr } = await run('gateway', { PORT: '-1' });
    expect(code).toBe(78);
    expect(stderr).toContain('Invalid configuration for gateway:');
    expect(stderr).toMatch(/^ {2}PORT: .+/m);
  });
});
