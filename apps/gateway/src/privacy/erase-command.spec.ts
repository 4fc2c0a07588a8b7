import { PassThrough } from 'node:stream';
import type { ErasureRequest } from '@parley/contracts';
import type { ServiceClients } from '../proxy/service-clients';
import { ErasureRefused, runPrivacyCommand } from './privacy-command';

function run(args: string[], refuse = false) {
  const out = new PassThrough();
  const log = new PassThrough();
  const asked: ErasureRequest[] = [];
  let connected = false;
  const code = runPrivacyCommand({
    args: ['erase', ...args],
    out,
    log,
    connect: async () => {
      connected = true;
      return {
        // Erasing goes through `erase` alone: the rest of the Parley is never asked.
        services: {} as ServiceClients,
        accountByEmail: async () => null,
        publicBaseUrl: 'http://blog.example',
        now: () => new Date(),
        erase: async (request) => {
          asked.push(request);
          if (refuse) throw new ErasureRefused('An admin account is erased once demoted');
          return {
            mode: request.mode,
            comments: 2,
            subscriptions: 1,
            keysDestroyed: 1,
            account: false,
          };
        },
        close: async () => undefined,
      };
    },
  });
  const text = (stream: PassThrough) => String(stream.read() ?? '');
  return code.then((exit) => ({ exit, asked, connected, out: text(out), log: text(log) }));
}

describe('privacy erase', () => {
  it('anonymizes by default and removes with --remove, printing what it erased', async () => {
    const anonymized = await run(['gus@example.com']);
    expect(anonymized.exit).toBe(0);
    expect(anonymized.asked).toEqual([{ email: 'gus@example.com', mode: 'anonymize' }]);
    expect(JSON.parse(anonymized.out)).toMatchObject({ comments: 2, subscriptions: 1 });
    const removed = await run(['--remove', 'gus@example.com']);
    expect(removed.asked).toEqual([{ email: 'gus@example.com', mode: 'remove' }]);
  });

  it('says why, and fails, when the erasure is refused', async () => {
    const refused = await run(['boss@example.com'], true);
    expect(refused.exit).toBe(1);
    expect(refused.out).toBe('');
    expect(refused.log).toContain('not erased: An admin account is erased once demoted');
  });

  it('says how to use it, and touches nothing, without one valid address', async () => {
    for (const args of [[], ['not-an-address'], ['a@example.com', 'b@example.com']]) {
      const outcome = await run(args);
      expect(outcome).toMatchObject({ exit: 64, connected: false });
      expect(outcome.log).toContain('erase <email> [--remove]');
    }
  });
});
