import fc from 'fast-check';
import { documentStoreContract } from '../testing/document-store.contract';
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
              else await target.deleteMany(clean(op.filter));
            }
          for (const q of queries) {
            const filter = clean(q);
            expect(await indexed.find(filter, { sort: { _id: 1 } })).toEqual(
              await scanned.find(filter, { sort: { _id: 1 } }),
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
