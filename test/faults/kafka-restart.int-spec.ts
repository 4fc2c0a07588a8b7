import { sleep } from '@parley/testing';
import { faultScenario } from './scenario';

jest.setTimeout(420_000);

faultScenario({
  name: 'the Kafka broker stopped and started again',
  mongoPort: 27218,
  // A broker of this test's own: the shared one stays up for the other tests.
  kafkaPort: 19392,
  async inject({ kafka }) {
    await kafka!.down();
    await sleep(5_000);
    await kafka!.up();
    return { faults: 1, what: 'broker stopped (SIGTERM), down 5 s, started' };
  },
});
