import { SettledLater, settle } from './settle';

describe('figures settled once at the end of a replay', () => {
  it('runs the work at once when the projection runs live', async () => {
    const ran: string[] = [];
    await settle({}, 'threads|t1', async () => {
      ran.push('t1');
    });
    await settle(undefined, 'threads|t2', async () => {
      ran.push('t2');
    });
    expect(ran).toEqual(['t1', 't2']);
  });

  it('gathers the work of a replay by key and runs each key once, the latest given', async () => {
    const settled = new SettledLater();
    const ran: string[] = [];
    const context = { settleLater: settled.add };
    for (const [key, name] of [
      ['threads|t1', 'first t1'],
      ['clients|c1', 'c1'],
      ['threads|t1', 'second t1'],
      ['threads|t2', 't2'],
    ] as const)
      await settle(context, key, async () => {
        ran.push(name);
      });
    expect(ran).toEqual([]);
    expect(settled.size).toBe(3);
    expect(await settled.run()).toBe(3);
    expect(ran).toEqual(['c1', 'second t1', 't2']);
    expect(settled.size).toBe(0);
    expect(await settled.run()).toBe(0);
  });

  it('also runs work that running work gives under a new key, and stops at the first failure', async () => {
    const settled = new SettledLater();
    const ran: string[] = [];
    settled.add('a', async () => {
      ran.push('a');
      settled.add('b', async () => {
        ran.push('b');
      });
    });
    expect(await settled.run()).toBe(2);
    expect(ran).toEqual(['a', 'b']);
    settled.add('c', () => Promise.reject(new Error('the store went away')));
    await expect(settled.run()).rejects.toThrow('the store went away');
  });
});
