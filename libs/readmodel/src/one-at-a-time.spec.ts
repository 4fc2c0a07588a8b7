import { oneAtATime } from './one-at-a-time';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('writes of one document, one at a time', () => {
  it('runs the writes of one key in order, each after the one before it ended, and those of other keys beside them', async () => {
    const log: string[] = [];
    const write = (key: string, name: string, ms: number) =>
      oneAtATime(key, async () => {
        log.push(`start ${name}`);
        await tick(ms);
        log.push(`end ${name}`);
        return name;
      });
    const done = await Promise.all([
      write('stats|p1', 'a', 20),
      write('stats|p1', 'b', 1),
      write('stats|p2', 'c', 5),
    ]);
    expect(done).toEqual(['a', 'b', 'c']);
    expect(log.indexOf('start b')).toBeGreaterThan(log.indexOf('end a'));
    expect(log.indexOf('start c')).toBeLessThan(log.indexOf('end a'));
  });

  it('goes on with the next write after one that failed, and gives each its own outcome', async () => {
    const failed = oneAtATime('stats|p3', () => Promise.reject(new Error('refused')));
    const next = oneAtATime('stats|p3', () => Promise.resolve('written'));
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe('written');
  });
});
