import { runParentsFirst } from './parents-first';

interface Item {
  id: string;
  parent: string | null;
}

/** Runs whose answers the test gives, one by one, noting what started when. */
function controlledRuns() {
  const started: string[] = [];
  const parents = new Map<string, string | undefined>();
  const answers = new Map<string, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    started,
    parents,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    run: (item: Item, parent: string | undefined) => {
      started.push(item.id);
      parents.set(item.id, parent);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<string>((resolve, reject) => {
        answers.set(item.id, {
          resolve: (v) => {
            inFlight -= 1;
            resolve(v);
          },
          reject: (e) => {
            inFlight -= 1;
            reject(e);
          },
        });
      });
    },
    answer: async (id: string) => {
      answers.get(id)!.resolve(`answer of ${id}`);
      await settled();
    },
    fail: async (id: string, error: Error) => {
      answers.get(id)!.reject(error);
      await settled();
    },
  };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

const options = (runs: ReturnType<typeof controlledRuns>, limit: number) => ({
  limit,
  idOf: (item: Item) => item.id,
  parentOf: (item: Item) => item.parent,
  run: runs.run,
});

describe('running a post’s comments parents first', () => {
  it('starts a reply only once its parent has answered, with that answer', async () => {
    const runs = controlledRuns();
    const items: Item[] = [
      { id: 'a', parent: null },
      { id: 'b', parent: 'a' },
      { id: 'c', parent: 'b' },
      { id: 'd', parent: null },
    ];
    const done = runParentsFirst(items, options(runs, 8));
    await settled();
    expect(runs.started).toEqual(['a', 'd']);
    await runs.answer('d');
    expect(runs.started).toEqual(['a', 'd']);
    await runs.answer('a');
    expect(runs.started).toEqual(['a', 'd', 'b']);
    expect(runs.parents.get('b')).toBe('answer of a');
    await runs.answer('b');
    expect(runs.started).toEqual(['a', 'd', 'b', 'c']);
    expect(runs.parents.get('c')).toBe('answer of b');
    await runs.answer('c');
    await expect(done).resolves.toEqual([
      'answer of a',
      'answer of b',
      'answer of c',
      'answer of d',
    ]);
  });

  it('runs at most the limit at once, the others as places free up, in their order', async () => {
    const runs = controlledRuns();
    const items = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, parent: null }));
    const done = runParentsFirst(items, options(runs, 3));
    await settled();
    expect(runs.started).toEqual(['c0', 'c1', 'c2']);
    await runs.answer('c1');
    expect(runs.started).toEqual(['c0', 'c1', 'c2', 'c3']);
    for (let i = 0; i < 10; i++) if (i !== 1) await runs.answer(`c${i}`);
    await expect(done).resolves.toHaveLength(10);
    expect(runs.maxInFlight).toBe(3);
  });

  it('gives no answer of a parent to one whose parent is not earlier in the list', async () => {
    const runs = controlledRuns();
    const items: Item[] = [
      { id: 'a', parent: 'missing' },
      { id: 'b', parent: 'c' },
      { id: 'c', parent: null },
      { id: 'd', parent: 'd' },
    ];
    const done = runParentsFirst(items, options(runs, 8));
    await settled();
    expect(runs.started).toEqual(['a', 'b', 'c', 'd']);
    expect([...runs.parents.values()]).toEqual([undefined, undefined, undefined, undefined]);
    for (const id of ['a', 'b', 'c', 'd']) await runs.answer(id);
    await expect(done).resolves.toHaveLength(4);
  });

  it('starts nothing more after a failure, lets the runs under way finish, then throws that failure', async () => {
    const runs = controlledRuns();
    const items: Item[] = [
      { id: 'a', parent: null },
      { id: 'b', parent: null },
      { id: 'c', parent: 'a' },
      { id: 'd', parent: null },
      { id: 'e', parent: null },
    ];
    let outcome: unknown = 'pending';
    const done = runParentsFirst(items, options(runs, 2)).then(
      () => (outcome = 'resolved'),
      (error: unknown) => (outcome = error),
    );
    await settled();
    expect(runs.started).toEqual(['a', 'b']);
    const failure = new Error('the comments service is down');
    await runs.fail('b', failure);
    await runs.answer('a');
    await settled();
    // Neither the reply nor those waiting for a place were started.
    expect(runs.started).toEqual(['a', 'b']);
    expect(outcome).toBe(failure);
    await done;
  });

  it('waits for the runs under way before it throws', async () => {
    const runs = controlledRuns();
    const items: Item[] = [
      { id: 'a', parent: null },
      { id: 'b', parent: null },
    ];
    let outcome: unknown = 'pending';
    const done = runParentsFirst(items, options(runs, 2)).catch(
      (error: unknown) => (outcome = error),
    );
    await settled();
    const failure = new Error('refused');
    await runs.fail('a', failure);
    expect(outcome).toBe('pending');
    expect(runs.inFlight).toBe(1);
    await runs.answer('b');
    expect(outcome).toBe(failure);
    await done;
  });

  it('answers at once for no items', async () => {
    await expect(runParentsFirst([], options(controlledRuns(), 8))).resolves.toEqual([]);
  });
});
