import { describeInfra, testInfra } from '@parley/testing';
import mongoose, { type Connection, Schema } from 'mongoose';

interface Thing {
  slug: string;
  title: string;
}

describeInfra('the real Mongo-compatible server', () => {
  let connection: Connection;

  beforeAll(async () => {
    connection = await mongoose.createConnection(testInfra().mongoUri('smoke')).asPromise();
  });

  afterAll(async () => {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  });

  it('writes and reads documents through mongoose', async () => {
    const Things = connection.model<Thing>(
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
    const Unique = connection.model<Thing>('UniqueThing', schema);
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
