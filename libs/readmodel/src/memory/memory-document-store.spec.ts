import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Query } from 'mingo';
import { update as applyUpdate } from 'mingo/updater';
import { documentStoreContract } from '../testing/document-store.contract';
import type { IndexSpec } from '../document-store.port';
import { MemoryDocumentStore } from './memory-document-store';

documentStoreContract('memory (mingo)', async () => ({
  store: new MemoryDocumentStore(),
  close: async () => undefined,
}));

interface Item {
  _id: string;
  postId?: string | null;
  tags?: string[];
  n: number;
  meta?: { hits: number };
}

describe('memory store lookups through declared indexes', () => {
  const key = fc.constantFrom('p1', 'p2', 'p3', null, undefined);
  const item = fc.record({
    _id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
    postId: key,
    tags: fc.option(fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 3 }), { nil: undefined }),
    n: fc.integer({ min: 0, max: 3 }),
  });
  const operation = fc.oneof(
    fc.record({ kind: fc.constant('upsert' as const), doc: item }),
    fc.record({
      kind: fc.constant('set' as const),
      filter: fc.record({ postId: key }),
      postId: key,
    }),
    fc.record({ kind: fc.constant('delete' as const), filter: fc.record({ postId: key }) }),
    // A field no index names: changed in place, the indexes left as they are.
    fc.record({ kind: fc.constant('bump' as const), filter: fc.record({ postId: key }) }),
  );
  const query = fc.oneof(
    fc.record({ postId: key }),
    fc.record({ tags: fc.constantFrom('x', 'y') }),
    fc.record({ postId: key, n: fc.integer({ min: 0, max: 3 }) }),
    fc.record({
      postId: key,
      n: fc.record({ $in: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }) }),
    }),
    fc.record({ postId: key, n: fc.integer({ min: 0, max: 3 }), tags: fc.constantFrom('x', 'y') }),
    fc.record({ postId: key, n: fc.record({ $gte: fc.integer({ min: 0, max: 3 }) }) }),
    fc.record({ n: fc.record({ $lt: fc.integer({ min: 0, max: 3 }) }) }),
    fc.record({ n: fc.record({ $ne: fc.integer({ min: 0, max: 3 }) }), postId: key }),
    fc.record({ postId: fc.record({ $ne: key }) }),
    fc.record({ tags: fc.record({ $exists: fc.boolean() }) }),
    fc.record({ tags: fc.record({ $ne: fc.constantFrom('x', 'y') }) }),
    fc.record({
      $or: fc.tuple(fc.record({ postId: key }), fc.record({ tags: fc.constantFrom('x', 'y') })),
    }),
    fc.record({
      $or: fc.tuple(fc.record({ postId: key }), fc.record({ n: fc.integer({ min: 0, max: 3 }) })),
    }),
    // An array field asked by equality (null too) inside and outside an $or.
    fc.record({
      $or: fc.tuple(fc.record({ tags: fc.constantFrom('x', null) }), fc.record({ postId: key })),
      n: fc.record({ $lte: fc.integer({ min: 0, max: 3 }) }),
    }),
    fc.record({ tags: fc.record({ $in: fc.constantFrom(['x', null], [null], ['z']) }) }),
    fc.record({ n: fc.integer({ min: 0, max: 3 }) }),
    fc.record({
      postId: fc.record({
        $in: fc.array(fc.constantFrom('p1', 'p2', 'p3', null), { maxLength: 3 }),
      }),
    }),
    fc.record({
      tags: fc.record({ $in: fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 3 }) }),
    }),
    fc.record({
      _id: fc.record({ $in: fc.array(fc.constantFrom('a', 'b', 'c', 'g'), { maxLength: 4 }) }),
      n: fc.integer({ min: 0, max: 3 }),
    }),
    // A nested field, missing from some documents, and what an operator does not match.
    fc.record({
      _id: fc.constantFrom('a', 'b', 'c'),
      'meta.hits': fc.record({ $not: fc.record({ $gte: fc.integer({ min: 0, max: 3 }) }) }),
    }),
    fc.record({ 'meta.hits': fc.integer({ min: 0, max: 3 }) }),
    fc.record({ postId: key, 'meta.hits': fc.record({ $lt: fc.integer({ min: 0, max: 3 }) }) }),
    fc.record({ n: fc.record({ $not: fc.record({ $in: fc.constantFrom([0, 1], [2]) }) }) }),
  );
  const clean = (filter: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));

  it('answers exactly what a full scan answers, through inserts, updates and deletes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { maxLength: 30 }),
        fc.array(query, { minLength: 1, maxLength: 5 }),
        async (ops, queries) => {
          const indexed = new MemoryDocumentStore().collection<Item>('items', [
            { keys: { postId: 1, n: 1 } },
            { keys: { tags: 1 } },
          ]);
          const scanned = new MemoryDocumentStore().collection<Item>('items');
          for (const op of ops)
            for (const target of [indexed, scanned]) {
              if (op.kind === 'upsert')
                await target.replaceOne({ _id: op.doc._id }, clean(op.doc) as unknown as Item, {
                  upsert: true,
                });
              else if (op.kind === 'set')
                await target.updateMany(clean(op.filter), { $set: { postId: op.postId ?? null } });
              else if (op.kind === 'bump')
                await target.updateMany(clean(op.filter), { $inc: { 'meta.hits': 1 } });
              else await target.deleteMany(clean(op.filter));
            }
          for (const q of queries) {
            const filter = clean(q);
            // mingo over every document is the reference MongoDB semantics come from.
            const everything = await scanned.find({}, { sort: { _id: 1 } });
            expect(await indexed.find(filter, { sort: { _id: 1 } })).toEqual(
              new Query(filter).find<Item>(everything).all(),
            );
            expect(await scanned.find(filter, { sort: { _id: 1 } })).toEqual(
              new Query(filter).find<Item>(everything).all(),
            );
            expect(await indexed.count(filter)).toBe(await scanned.count(filter));
            for (const direction of [1, -1] as const)
              for (const limit of [1, 2, 5])
                expect(await indexed.find(filter, { sort: { _id: direction }, limit })).toEqual(
                  await scanned.find(filter, { sort: { _id: direction }, limit }),
                );
            expect(await indexed.find(filter, { sort: { _id: -1 }, skip: 1, limit: 1 })).toEqual(
              await scanned.find(filter, { sort: { _id: -1 }, skip: 1, limit: 1 }),
            );
            // Sorts on other fields then the id: numbers in every document, or values some lack.
            const matching = new Query(filter).find<Item>(everything).all();
            for (const sort of [
              { n: -1, _id: 1 },
              { n: 1, _id: -1 },
              { postId: 1, _id: 1 },
              { 'meta.hits': -1, _id: 1 },
            ] as Record<string, 1 | -1>[])
              for (const page of [{}, { limit: 2 }, { skip: 1, limit: 2 }])
                expect(await indexed.find(filter, { sort, ...page })).toEqual(
                  new Query({})
                    .find<Item>(matching)
                    .sort(sort)
                    .skip(page.skip ?? 0)
                    .limit(page.limit ?? matching.length + 1)
                    .all(),
                );
            // findOne answers any one match, as MongoDB does without a sort.
            const one = await indexed.findOne(filter);
            const all = await scanned.find(filter);
            if (all.length === 0) expect(one).toBeNull();
            else expect(all).toContainEqual(one);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('memory store updates', () => {
  interface Nested {
    _id: string;
    streams?: Record<string, number>;
    meta?: { seen?: { at?: number }; tags?: string[] };
    n?: number;
  }
  const path = fc.constantFrom('streams.a', 'streams.b', 'meta.seen.at', 'n', 'extra.deep.x');
  const update = fc.oneof(
    fc.record({ $max: fc.dictionary(path, fc.integer({ min: 0, max: 9 }), { maxKeys: 2 }) }),
    fc.record({ $min: fc.dictionary(path, fc.integer({ min: 0, max: 9 }), { maxKeys: 2 }) }),
    fc.record({ $inc: fc.dictionary(path, fc.integer({ min: 1, max: 3 }), { maxKeys: 2 }) }),
    fc.record({ $set: fc.dictionary(path, fc.integer({ min: 0, max: 9 }), { maxKeys: 2 }) }),
    fc.record({ $unset: fc.dictionary(path, fc.constant('' as const), { maxKeys: 1 }) }),
    fc.record({ $addToSet: fc.record({ 'meta.tags': fc.constantFrom('x', 'y') }) }),
    fc.record({ $pull: fc.record({ 'meta.tags': fc.constantFrom('x', 'y') }) }),
  );

  it('change only the document updated, as a fresh copy would, and never what was read before', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b'), update)), async (steps) => {
        const items = new MemoryDocumentStore().collection<Nested>('items');
        const start: Nested = {
          _id: '',
          streams: { a: 1 },
          meta: { seen: { at: 1 }, tags: ['x'] },
        };
        await items.insertOne({ ...structuredClone(start), _id: 'a' });
        await items.insertOne({ ...structuredClone(start), _id: 'b' });
        const expected = new Map([
          ['a', { ...structuredClone(start), _id: 'a' }],
          ['b', { ...structuredClone(start), _id: 'b' }],
        ]);
        const reads: [Nested, Nested][] = [];
        for (const [id, change] of steps) {
          const before = (await items.findOne({ _id: id }))!;
          reads.push([before, structuredClone(before)]);
          const reference = structuredClone(expected.get(id)!);
          let refused = false;
          try {
            applyUpdate(reference as unknown as Record<string, unknown>, change as never);
          } catch {
            refused = true;
          }
          const outcome = items.updateOne({ _id: id }, change);
          if (refused) await expect(outcome).rejects.toThrow();
          else {
            await outcome;
            expected.set(id, reference);
          }
          for (const other of ['a', 'b'])
            expect(await items.findOne({ _id: other })).toEqual(expected.get(other));
        }
        for (const [read, copy] of reads) expect(read).toEqual(copy);
      }),
      { numRuns: 200 },
    );
  });
});

describe('durable collections of an embedded process', () => {
  interface Job {
    _id: string;
    state: string;
    done: number;
  }

  it('are there again for the next process on the same folder, with their last write; others start empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-durable-'));
    try {
      const first = new MemoryDocumentStore({ dir });
      const jobs = first.collection<Job>('imports', [], { durable: true });
      await jobs.insertOne({ _id: 'a', state: 'importing', done: 0 });
      await jobs.insertOne({ _id: 'b', state: 'queued', done: 0 });
      await jobs.updateOne({ _id: 'a' }, { $set: { done: 40 } });
      await jobs.deleteMany({ _id: 'b' });
      await first.collection<Job>('threads').insertOne({ _id: 't', state: 'x', done: 1 });

      const next = new MemoryDocumentStore({ dir });
      const again = next.collection<Job>('imports', [], { durable: true });
      expect(await again.find({})).toEqual([{ _id: 'a', state: 'importing', done: 40 }]);
      expect(
        await again.updateOne({ _id: 'a', state: 'importing' }, { $set: { state: 'done' } }),
      ).toBe(1);
      expect(await next.collection<Job>('threads').find({})).toEqual([]);
      const third = new MemoryDocumentStore({ dir });
      expect(
        await third.collection<Job>('imports', [], { durable: true }).findOne({ _id: 'a' }),
      ).toMatchObject({ state: 'done' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('documents restored from what a stop kept', () => {
  interface Comment {
    _id: string;
    postId: string;
    n: number;
  }
  const declared: IndexSpec[] = [{ keys: { postId: 1, _id: 1 } }];

  /** Documents handed out one at a time, counting how many were asked for. */
  function counted(docs: readonly Comment[]) {
    const asked = { count: 0 };
    const iterable: Iterable<Comment> = {
      *[Symbol.iterator]() {
        for (const doc of docs) {
          asked.count++;
          yield doc;
        }
      },
    };
    return { iterable, asked };
  }

  const docs = Array.from({ length: 10 }, (_, i) => ({
    _id: `c${i}`,
    postId: i % 2 === 0 ? 'even' : 'odd',
    n: i,
  }));

  it('are taken when the collection is first used, whole, and answer as if inserted', async () => {
    const store = new MemoryDocumentStore();
    const { iterable, asked } = counted(docs);
    store.restore('comments', iterable);
    expect(asked.count).toBe(0);

    const comments = store.collection<Comment>('comments', declared);
    expect((await comments.find({ postId: 'odd' }, { sort: { _id: 1 } })).map((c) => c.n)).toEqual([
      1, 3, 5, 7, 9,
    ]);
    expect(asked.count).toBe(10);
    await comments.updateOne({ _id: 'c2' }, { $set: { postId: 'odd' } });
    expect(await comments.count({ postId: 'odd' })).toBe(6);
    await expect(comments.insertOne({ _id: 'c4', postId: 'x', n: 0 })).rejects.toThrow();
    expect(store.keptInMemory()).toEqual([
      { name: 'comments', docs: expect.arrayContaining(docs.slice(0, 2)) as unknown },
    ]);
  });

  it('are taken a slice at a time by takeRestored, other work running between the slices', async () => {
    const store = new MemoryDocumentStore();
    const { iterable, asked } = counted(docs);
    store.restore('comments', iterable);
    store.restore('empty', counted([]).iterable);
    const seen: number[] = [];
    const watching = (async () => {
      while (asked.count < docs.length) {
        seen.push(asked.count);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    })();
    await store.takeRestored(3);
    await watching;
    expect(asked.count).toBe(10);
    // Between slices the others ran: they saw the documents taken so far, three more each time.
    expect(seen.filter((count) => count > 0 && count < 10)).toEqual(
      expect.arrayContaining([3, 6, 9]),
    );
    expect(await store.collection<Comment>('comments', declared).count({ postId: 'even' })).toBe(5);
    expect(await store.collection<Comment>('empty').find({})).toEqual([]);
  });

  it('are taken as they are when given as a list', async () => {
    const store = new MemoryDocumentStore();
    store.restore('comments', docs);
    expect(await store.collection<Comment>('comments').count({})).toBe(10);
  });
});
