import { eventually, sleep } from '@parley/testing';
import { type App } from './fault-stack';
import { faultScenario } from './scenario';

jest.setTimeout(420_000);

const IN_TURN: readonly App[] = ['gateway', 'posts', 'comments', 'notifications'];

faultScenario({
  name: 'kill -9 of each service in turn, then a restart',
  mongoPort: 27219,
  notificationsCrashed: true,
  async inject({ stack }) {
    for (const app of IN_TURN) {
      await stack.kill(app);
      // Down long enough for requests and consumers to notice, then back on the same port.
      await sleep(1_000);
      await stack.restart(app);
      await eventually(
        async () => ((await fetch(`${stack.url}/health/ready`)).ok ? true : undefined),
        { timeoutMs: 30_000 },
      );
      await sleep(1_500);
    }
    return { faults: IN_TURN.length, what: `SIGKILL and restart of ${IN_TURN.join(', ')}` };
  },
});
