import { type ScratchDatabase, describeInfra, openScratchDatabase } from '@parley/testing';
import { Schema } from 'mongoose';

interface Thing {
  slug: string;
  title: string;
}

describeInfra('the real Mongo-compatible server', () => {
  let database: ScratchDatabase;

  beforeAll(async () => {
    database = await openScratchDatabase('smoke');
  });

  afterAll(async () => {
    await database.close();
  });

  it('writes and reads documents through mongoose', async () => {
    const Things = database.connection.model<Thing>(
      'Thing',
      new Schema<Thing>({ slug: String, title: String }),
    );
    await Things.create({ slug: 'her', title: 'Her' });
    const found = await Things.findOne({ slug: 'her' }).lean();
    expect(found?.title).toBe('Her');
  });

  it('enforces a unique index: of ten racing inserts exactly one wins', async () => {
    const schema = new Schema<Thing>({ slug: String, title: String });
    schema.index({ slug: 1 }, { unique: true });
    const Unique = database.connection.model<Thing>('UniqueThing', schema);
    await Unique.createIndexes();

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => Unique.create({ slug: 'same', title: `writer ${i}` })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.every((r) => (r.reason as { code?: number }).code === 11000)).toBe(true);
    expect(await Unique.countDocuments({ slug: 'same' })).toBe(1);
  });
});
