import { sleep } from '@parley/testing';
import { faultScenario } from './scenario';

jest.setTimeout(420_000);

const THROTTLE_MS = 15_000;

faultScenario({
  name: 'a slow notifications consumer that falls behind',
  mongoPort: 27221,
  async inject({ stack }) {
    // The process runs one tenth of the time (SIGSTOP / SIGCONT), short enough pauses for its
    // consumers to stay in their groups: it falls behind and has to catch up.
    let mostBehind = 0;
    let cycles = 0;
    const until = Date.now() + THROTTLE_MS;
    const watching = (async () => {
      while (Date.now() < until) {
        const lags = await stack.lag();
        const behind = Object.entries(lags)
          .filter(([group]) => group.startsWith('parley-notifications.'))
          .reduce((sum, [, lag]) => sum + lag, 0);
        mostBehind = Math.max(mostBehind, behind);
        await sleep(500);
      }
    })();
    while (Date.now() < until) {
      stack.pause('notifications');
      await sleep(450);
      stack.resume('notifications');
      await sleep(50);
      cycles += 1;
    }
    await watching;
    expect(mostBehind).toBeGreaterThan(0);
    return {
      faults: 1,
      what: `notifications at a tenth of its speed for ${THROTTLE_MS / 1000} s (${cycles} SIGSTOP/SIGCONT), up to ${mostBehind} messages behind`,
    };
  },
});
