import { type DocumentStore, DuplicateKeyError } from '../document-store.port';
import { updateEach } from '../one-at-a-time';
import { SettledLater } from '../settle';
import { TALLY_INDEXES, type TallyPart, tallies, tally } from '../tally';
import { applyToOwnedDocument } from '../versioned';

interface Post {
  _id: string;
  slug: string;
  title: string;
  tags: string[];
  publishedAt: string | null;
  likes: number;
  author: { id: string; name: string };
  _v: number;
}

let n = 0;

function post(id: string, overrides: Partial<Post> = {}): Post {
  return {
    _id: id,
    slug: id,
    title: `Post ${id}`,
    tags: [],
    publishedAt: null,
    likes: 0,
    author: { id: 'amy', name: 'Amy' },
    _v: 1,
    ...overrides,
  };
}

/** The behaviour every DocumentStore adapter must have, run against each of them. */
export function documentStoreContract(
  adapter: string,
  open: () => Promise<{ store: DocumentStore; close(): Promise<void> }>,
): void {
  describe(`DocumentStore contract: ${adapter}`, () => {
    let store: DocumentStore;
    let harness: { store: DocumentStore; close(): Promise<void> };
    const collection = () =>
      store.collection<Post>(`posts_${n}`, [
        { keys: { slug: 1 }, unique: true },
        { keys: { publishedAt: -1 } },
      ]);

    beforeEach(async () => {
      n += 1;
      harness = await open();
      store = harness.store;
      await store.ensureIndexes(`posts_${n}`, [
        { keys: { slug: 1 }, unique: true },
        { keys: { publishedAt: -1 } },
      ]);
    });

    afterEach(async () => {
      await harness.close();
    });

    it('finds with filters, sorts, skips and limits like MongoDB', async () => {
      const posts = collection();
      await posts.insertOne(
        post('a', { tags: ['film', 'quote'], publishedAt: '2026-01-03T00:00:00.000Z', likes: 3 }),
      );
      await posts.insertOne(
        post('b', { tags: ['film'], publishedAt: '2026-01-02T00:00:00.000Z', likes: 10 }),
      );
      await posts.insertOne(
        post('c', { tags: ['music'], publishedAt: '2026-01-01T00:00:00.000Z' }),
      );
      await posts.insertOne(post('d', { author: { id: 'bo', name: 'Bo' } }));

      expect(
        (await posts.find({ tags: 'film' }, { sort: { publishedAt: -1 } })).map((p) => p._id),
      ).toEqual(['a', 'b']);
      expect(
        (
          await posts.find(
            { publishedAt: { $ne: null } },
            { sort: { publishedAt: -1 }, skip: 1, limit: 1 },
          )
        ).map((p) => p._id),
      ).toEqual(['b']);
      expect(
        (
          await posts.find(
            { $or: [{ likes: { $gte: 10 } }, { 'author.id': 'bo' }] },
            { sort: { _id: 1 } },
          )
        ).map((p) => p._id),
      ).toEqual(['b', 'd']);
      expect(
        (await posts.find({ _id: { $in: ['c', 'a', 'zz'] } }, { sort: { _id: 1 } })).map(
          (p) => p._id,
        ),
      ).toEqual(['a', 'c']);
      expect(await posts.count({ publishedAt: { $lt: '2026-01-03T00:00:00.000Z' } })).toBe(2);
      expect(
        await posts.find(
          { tags: { $in: ['quote', 'music'] } },
          { sort: { _id: 1 }, fields: ['tags'] },
        ),
      ).toEqual([
        { _id: 'a', tags: ['film', 'quote'] },
        { _id: 'c', tags: ['music'] },
      ]);
      expect((await posts.findOne({ slug: 'c' }))?.title).toBe('Post c');
      expect(await posts.findOne({ slug: 'nope' })).toBeNull();
    });

    it('returns copies: changing a result changes nothing stored', async () => {
      const posts = collection();
      await posts.insertOne(post('a'));
      const found = await posts.findOne({ _id: 'a' });
      found!.title = 'changed';
      expect((await posts.findOne({ _id: 'a' }))?.title).toBe('Post a');
    });

    it('refuses a duplicate id or unique key', async () => {
      const posts = collection();
      await posts.insertOne(post('a', { slug: 'her' }));
      await expect(posts.insertOne(post('a', { slug: 'other' }))).rejects.toBeInstanceOf(
        DuplicateKeyError,
      );
      await expect(posts.insertOne(post('b', { slug: 'her' }))).rejects.toBeInstanceOf(
        DuplicateKeyError,
      );
      expect(await posts.count({})).toBe(1);
    });

    it('replaces only when the guard in the filter matches (versioned writes)', async () => {
      const posts = collection();
      await posts.insertOne(post('a', { _v: 3 }));
      expect(
        await posts.replaceOne({ _id: 'a', _v: 2 }, post('a', { _v: 4, title: 'stale' })),
      ).toBe(0);
      expect(
        await posts.replaceOne({ _id: 'a', _v: 3 }, post('a', { _v: 4, title: 'fresh' })),
      ).toBe(1);
      expect((await posts.findOne({ _id: 'a' }))?.title).toBe('fresh');
      expect(await posts.replaceOne({ _id: 'new' }, post('new'), { upsert: true })).toBe(0);
      expect(await posts.count({ _id: 'new' })).toBe(1);
    });

    it('updates with $set, $inc, $unset, $max and $addToSet, and upserts from the filter', async () => {
      const posts = collection();
      await posts.insertOne(post('a', { likes: 1 }));
      expect(
        await posts.updateOne(
          { _id: 'a' },
          { $inc: { likes: 2 }, $set: { 'author.name': 'Amy P.' }, $addToSet: { tags: 'film' } },
        ),
      ).toBe(1);
      await posts.updateOne({ _id: 'a' }, { $addToSet: { tags: 'film' }, $max: { _v: 7 } });
      const a = await posts.findOne({ _id: 'a' });
      expect(a).toMatchObject({
        likes: 3,
        author: { id: 'amy', name: 'Amy P.' },
        tags: ['film'],
        _v: 7,
      });

      expect(
        await posts.updateOne(
          { _id: 'counter' },
          { $inc: { likes: 1 }, $set: { slug: 'counter' } },
          { upsert: true },
        ),
      ).toBe(0);
      await posts.updateOne({ _id: 'counter' }, { $inc: { likes: 1 } }, { upsert: true });
      expect((await posts.findOne({ _id: 'counter' }))?.likes).toBe(2);
      expect(await posts.updateOne({ _id: 'missing' }, { $set: { title: 'x' } })).toBe(0);
      expect(await posts.count({ _id: 'missing' })).toBe(0);
      await posts.updateOne({ _id: 'a' }, { $unset: { tags: '' } });
      expect((await posts.findOne({ _id: 'a' })) as unknown).not.toHaveProperty('tags');
    });

    it('updates and deletes many', async () => {
      const posts = collection();
      for (const id of ['a', 'b', 'c'])
        await posts.insertOne(post(id, { author: { id: id === 'c' ? 'bo' : 'amy', name: 'x' } }));
      expect(
        await posts.updateMany({ 'author.id': 'amy' }, { $set: { 'author.name': 'Amy' } }),
      ).toBe(2);
      expect(await posts.count({ 'author.name': 'Amy' })).toBe(2);
      expect(await posts.deleteMany({ 'author.id': 'amy' })).toBe(2);
      expect((await posts.find({})).map((p) => p._id)).toEqual(['c']);
    });

    it("loses no event of a document while an author's new name is written over all of theirs", async () => {
      const posts = collection();
      const ids = Array.from({ length: 12 }, (_, i) => `p${i}`);
      for (const id of ids) await posts.insertOne(post(id));
      for (let round = 1; round <= 4; round++) {
        const name = `Amy ${round}`;
        // Each post's next event, applied while the rename runs over the same documents.
        await Promise.all([
          updateEach(
            posts,
            { 'author.id': 'amy', 'author.name': { $ne: name } },
            {
              $set: { 'author.name': name },
            },
          ),
          ...ids.map((id) =>
            applyToOwnedDocument(
              posts,
              id,
              { streamVersion: round + 1 },
              (current) => current && { ...current, likes: current.likes + 1 },
            ),
          ),
        ]);
        const after = await posts.find({}, { sort: { _id: 1 } });
        expect(after.map((p) => [p._v, p.likes])).toEqual(ids.map(() => [round + 1, round]));
        // A name the event's write put back is written again by a second pass, as projections do.
        await updateEach(
          posts,
          { 'author.id': 'amy', 'author.name': { $ne: name } },
          {
            $set: { 'author.name': name },
          },
        );
        expect(await posts.count({ 'author.name': name })).toBe(ids.length);
      }
    });

    it('moves a counter once per message, in one part per partition, summed when read', async () => {
      await store.ensureIndexes(`counts_${n}`, TALLY_INDEXES);
      const parts = store.collection<TallyPart>(`counts_${n}`, TALLY_INDEXES);
      const at = (partition: number, offset: number) => ({
        position: { topic: 'parley.comments', partition, offset: String(offset) },
      });
      await tally(parts, 'comments:p1', 1, at(0, 5));
      await tally(parts, 'comments:p1', 1, at(0, 5)); // the same message again
      await tally(parts, 'comments:p1', 1, at(1, 2));
      await tally(parts, 'comments:p2', 1, at(1, 3));
      await tally(parts, 'comments:p1', -1, at(0, 9));
      await tally(parts, 'comments:p1', 1, at(0, 7)); // before the part's last: counted already
      await tally(parts, 'comments:p1', 0, at(0, 10));
      // Two deliveries of one message at once (a member a rebalance has not stopped yet).
      await Promise.all([
        tally(parts, 'comments:p2', 1, at(1, 8)),
        tally(parts, 'comments:p2', 1, at(1, 8)),
      ]);
      // Without a position, each call moves the counter.
      await tally(parts, 'comments:p3', 1, {});
      await tally(parts, 'comments:p3', 1, undefined);
      const sums = await tallies(parts, ['comments:p1', 'comments:p2', 'comments:p3', 'none']);
      expect(Object.fromEntries(sums)).toEqual({
        'comments:p1': 1,
        'comments:p2': 2,
        'comments:p3': 2,
      });
      expect(await tallies(parts, ['comments:p2'])).toEqual(new Map([['comments:p2', 2]]));
    });

    it('sums the moves of a replay in memory, once per message, and writes each part once at its end', async () => {
      const parts = store.collection<TallyPart>(`counts_${n}`, TALLY_INDEXES);
      const settled = new SettledLater();
      const at = (partition: number, offset: number) => ({
        settleLater: settled.add,
        position: { topic: 'parley.posts', partition, offset: String(offset) },
      });
      const writes = jest.spyOn(parts, 'updateOne');
      for (const [partition, offset, delta] of [
        [0, 1, 1],
        [0, 2, 1],
        [0, 2, 1], // the same message again
        [1, 1, 1],
        [0, 3, -1],
        [1, 2, 1],
      ] as const)
        await tally(parts, 'likes:p1', delta, at(partition, offset));
      expect(writes).not.toHaveBeenCalled();
      expect(await tallies(parts, ['likes:p1'])).toEqual(new Map());

      expect(await settled.run()).toBe(2);
      expect(writes).toHaveBeenCalledTimes(2);
      expect(await tallies(parts, ['likes:p1'])).toEqual(new Map([['likes:p1', 3]]));
      // The live projection goes on from where the replay stopped: what it counted stays counted.
      await tally(parts, 'likes:p1', 1, { position: at(0, 3).position });
      await tally(parts, 'likes:p1', 1, { position: at(0, 4).position });
      expect(await tallies(parts, ['likes:p1'])).toEqual(new Map([['likes:p1', 4]]));
    });

    it('drops a collection', async () => {
      const posts = collection();
      await posts.insertOne(post('a'));
      expect(await store.listCollections()).toContain(posts.name);
      await store.dropCollection(posts.name);
      expect(await store.collection<Post>(posts.name).count({})).toBe(0);
    });
  });
}
