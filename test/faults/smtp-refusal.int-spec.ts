import { sleep } from '@parley/testing';
import { faultScenario } from './scenario';

jest.setTimeout(420_000);

const REFUSAL_MS = 12_000;

faultScenario({
  name: 'the SMTP server refusing mail (451) for a while',
  mongoPort: 27220,
  async inject({ smtp, conversation }) {
    smtp.refuseWith = 451;
    // Besides notifications, a new guest's confirmation mail meets the refusal.
    await conversation.guestJoins();
    await sleep(REFUSAL_MS);
    smtp.refuseWith = undefined;
    return { faults: 1, what: `every DATA answered 451 for ${REFUSAL_MS / 1000} s` };
  },
});
