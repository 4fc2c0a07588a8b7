import { sleep } from '@parley/testing';
import { faultScenario } from './scenario';

jest.setTimeout(420_000);

faultScenario({
  name: 'the Mongo-compatible server stopped and started again',
  mongoPort: 27217,
  async inject({ mongo }) {
    await mongo.down();
    await sleep(5_000);
    await mongo.up();
    return { faults: 1, what: 'server stopped (SIGTERM), down 5 s, started' };
  },
});
