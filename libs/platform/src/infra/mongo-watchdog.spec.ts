import { createLogger } from '@parley/observability';
import { type MongoConnectionProbe, MongoWatchdog } from './mongo';

/** A connection whose answers the test sets, counting what the watchdog did to it. */
function fakeConnection() {
  const state = { connectionUp: true, serverUp: true, pings: 0, freshPings: 0, reopened: 0 };
  const probe: MongoConnectionProbe = {
    async ping() {
      state.pings += 1;
      if (!state.connectionUp) throw new Error('server selection timed out');
    },
    async pingAfresh() {
      state.freshPings += 1;
      if (!state.serverUp) throw new Error('connect ECONNREFUSED');
    },
    async reopen() {
      state.reopened += 1;
      state.connectionUp = true;
    },
  };
  return { state, probe };
}

describe('the database connection watchdog', () => {
  let now = 0;
  const clock = () => now;
  const options = { intervalMs: 5_000, wedgedAfterMs: 30_000 };
  const logger = createLogger('posts', 'silent');

  beforeEach(() => {
    now = 1_000_000;
  });

  it('leaves a healthy connection alone', async () => {
    const { state, probe } = fakeConnection();
    const watchdog = new MongoWatchdog(probe, logger, options, clock);
    expect(await watchdog.check()).toBe('healthy');
    expect(state).toMatchObject({ pings: 1, freshPings: 0, reopened: 0 });
  });

  it('waits out an outage of the server, however long, without touching the connection', async () => {
    const { state, probe } = fakeConnection();
    const watchdog = new MongoWatchdog(probe, logger, options, clock);
    state.connectionUp = false;
    state.serverUp = false;
    for (let s = 0; s <= 120; s += 5) {
      now = 1_000_000 + s * 1000;
      expect(await watchdog.check()).toBe('failing');
    }
    expect(state.reopened).toBe(0);
    // Asked the server itself only once the connection had failed long enough.
    expect(state.freshPings).toBe((120 - 30) / 5 + 1);
    state.connectionUp = true;
    state.serverUp = true;
    expect(await watchdog.check()).toBe('healthy');
  });

  it('reopens a connection that keeps failing while the server answers a new client', async () => {
    const { state, probe } = fakeConnection();
    const watchdog = new MongoWatchdog(probe, logger, options, clock);
    state.connectionUp = false;
    expect(await watchdog.check()).toBe('failing');
    now += 29_000;
    expect(await watchdog.check()).toBe('failing');
    expect(state.reopened).toBe(0);
    now += 1_000;
    expect(await watchdog.check()).toBe('reopened');
    expect(state.reopened).toBe(1);
    expect(await watchdog.check()).toBe('healthy');
    // A later failure starts its own count.
    state.connectionUp = false;
    now += 5_000;
    expect(await watchdog.check()).toBe('failing');
    expect(state.reopened).toBe(1);
  });

  it('never runs two checks at once', async () => {
    const { state, probe } = fakeConnection();
    let release: () => void = () => undefined;
    const slow: MongoConnectionProbe = {
      ...probe,
      ping: () => new Promise<void>((resolve) => (release = resolve)).then(() => probe.ping()),
    };
    const watchdog = new MongoWatchdog(slow, logger, options, clock);
    const first = watchdog.check();
    const second = watchdog.check();
    release();
    expect(await first).toBe('healthy');
    expect(await second).toBe('healthy');
    expect(state.pings).toBe(1);
  });
});
