import type { LiveReadModels } from '@parley/readmodel';
import { ACCOUNT_NAMES_KEPT, DIRECTORY_NAME_KEPT_MS, LiveAccountNames } from './account-names';

/** An account directory that counts the accounts it is asked for. */
function directory(names: Record<string, string>) {
  const asked: string[][] = [];
  const collection = {
    find: async (filter: { _id: { $in: string[] } }) => {
      asked.push(filter._id.$in);
      return filter._id.$in.flatMap((id) =>
        names[id] === undefined ? [] : [{ _id: id, displayName: names[id] }],
      );
    },
  };
  const readModels = { db: () => ({ collection: () => collection }) };
  return { asked, readModels: readModels as unknown as LiveReadModels };
}

/** Moves the clock the kept names are timed by (which reads it at most once a millisecond). */
async function later(ms: number): Promise<void> {
  const now = performance.now.bind(performance);
  jest.spyOn(performance, 'now').mockImplementation(() => now() + ms);
  await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("a gateway's accounts' names", () => {
  afterEach(() => jest.restoreAllMocks());

  it('reads a name it does not hold from the directory once, then again after a while', async () => {
    const { asked, readModels } = directory({ ada: 'Ada', bob: 'Bob' });
    const names = new LiveAccountNames(readModels);
    expect(await names.lookup(['ada', 'bob', 'gone'])).toEqual(
      new Map([
        ['ada', 'Ada'],
        ['bob', 'Bob'],
      ]),
    );
    expect(await names.nameOf('ada')).toBe('Ada');
    expect(asked).toEqual([['ada', 'bob', 'gone']]);

    // The directory may not have applied a rename written before this gateway started.
    await later(DIRECTORY_NAME_KEPT_MS + 1);
    expect(await names.nameOf('ada')).toBe('Ada');
    expect(asked).toEqual([['ada', 'bob', 'gone'], ['ada']]);
  });

  it('keeps a name an account event gave over the directory, without a read, for as long as it is used', async () => {
    const { asked, readModels } = directory({ ada: 'Ada (old)' });
    const names = new LiveAccountNames(readModels);
    names.set('ada', 'Ada Lovelace');
    await later(DIRECTORY_NAME_KEPT_MS * 10);
    expect(await names.nameOf('ada')).toBe('Ada Lovelace');
    expect(await names.nameOf('nobody')).toBe('Deleted reader');
    expect(asked).toEqual([['nobody']]);
  });

  it('holds a bounded number of names, the least recently used leaving first', async () => {
    const { asked, readModels } = directory({ first: 'First (directory)' });
    const names = new LiveAccountNames(readModels);
    names.set('first', 'First');
    names.set('second', 'Second');
    expect(await names.nameOf('first')).toBe('First');
    for (let i = 0; i < ACCOUNT_NAMES_KEPT - 1; i++) names.set(`reader-${i}`, `Reader ${i}`);
    // "second" was the least recently used: it left; "first" was used since and stays.
    expect(await names.nameOf('first')).toBe('First');
    expect(asked).toEqual([]);
    expect(await names.nameOf('second')).toBe('Deleted reader');
    expect(asked).toEqual([['second']]);
  });
});
