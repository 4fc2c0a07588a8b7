import { PassThrough } from 'node:stream';
import { type PrivacyCommand, type PrivacyParley, runPrivacyCommand } from './privacy-command';

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('the privacy command runner', () => {
  const parley = (closed: string[]): PrivacyParley => ({
    services: {} as PrivacyParley['services'],
    accountByEmail: () => Promise.resolve(null),
    publicBaseUrl: 'https://blog.example',
    now: () => new Date('2026-11-27T00:00:00.000Z'),
    erase: () => Promise.reject(new Error('not asked')),
    close: () => {
      closed.push('closed');
      return Promise.resolve();
    },
  });

  it('answers 64 with every command in the usage, opening nothing, for an unknown command or bad arguments', async () => {
    for (const args of [[], ['shred', 'a@example.com'], ['export'], ['export', 'not-an-address']]) {
      const log = sink();
      let opened = false;
      const code = await runPrivacyCommand({
        args,
        out: sink().stream,
        log: log.stream,
        connect: () => {
          opened = true;
          return Promise.resolve(parley([]));
        },
      });
      expect(code).toBe(64);
      expect(opened).toBe(false);
      expect(log.text()).toContain('export [--guest] <email>');
    }
  });

  it('runs a command of the table with its arguments, and closes the Parley even when it fails', async () => {
    const closed: string[] = [];
    const seen: (readonly string[])[] = [];
    const commands: Record<string, PrivacyCommand> = {
      echo: {
        usage: 'echo <word>',
        accepts: (args) => args.length === 1,
        run: ({ args, out }) => {
          seen.push(args);
          out.write(args.join(' '));
          return Promise.resolve(0);
        },
      },
      fail: {
        usage: 'fail',
        accepts: () => true,
        run: () => Promise.reject(new Error('broken')),
      },
    };
    const out = sink();
    const connect = () => Promise.resolve(parley(closed));
    expect(
      await runPrivacyCommand({
        args: ['echo', 'hi'],
        out: out.stream,
        log: sink().stream,
        connect,
        commands,
      }),
    ).toBe(0);
    expect(seen).toEqual([['hi']]);
    expect(out.text()).toBe('hi');
    await expect(
      runPrivacyCommand({
        args: ['fail'],
        out: sink().stream,
        log: sink().stream,
        connect,
        commands,
      }),
    ).rejects.toThrow('broken');
    expect(closed).toEqual(['closed', 'closed']);
  });
});
