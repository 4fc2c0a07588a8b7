import { describeInfra, openScratchDatabase, testInfra } from '@parley/testing';
import mongoose, { type Connection } from 'mongoose';
import { accountPerson, guestPerson } from '../person';
import { personKeyStoreContract } from '../testing/person-key-store.contract';
import { MongoPersonKeyStore } from './mongo-person-key-store';

async function connect(uri: string): Promise<Connection> {
  return mongoose.createConnection(uri).asPromise();
}

describeInfra('MongoPersonKeyStore on the real Mongo-compatible server', () => {
  personKeyStoreContract(
    'mongo',
    async () => {
      const uri = testInfra().mongoUri('privacy');
      const connection = await connect(uri);
      const store = new MongoPersonKeyStore(connection);
      await store.init();
      const others: Connection[] = [];
      const another = async () => {
        const other = await connect(uri);
        others.push(other);
        return new MongoPersonKeyStore(other);
      };
      return {
        store,
        reopen: another,
        replica: another,
        async close() {
          await Promise.all(others.map((c) => c.close()));
          await connection.dropDatabase().catch(() => undefined);
          await connection.close();
        },
      };
    },
    { replicas: true },
  );

  it('deletes a destroyed key’s document rather than marking it, and keeps no address', async () => {
    const { connection, close } = await openScratchDatabase('privacy-raw');
    try {
      const store = new MongoPersonKeyStore(connection);
      await store.init();
      const email = 'ann.raw@example.org';
      const ann = await store.keyFor(guestPerson(email));
      await store.keyFor(guestPerson(email), '2026-11-27');
      const bob = await store.keyFor(accountPerson('acc-bob'));
      const raw = connection.db!.collection('person_keys');
      expect(JSON.stringify(await raw.find({}).toArray())).not.toContain(email);

      expect(await store.destroy(guestPerson(email))).toBe(2);

      const left = await raw.find({}).toArray();
      expect(left.map((doc) => doc.keyId as string)).toEqual([bob.keyId]);
      expect(JSON.stringify(left)).not.toContain(ann.material.toString('base64'));
    } finally {
      await close();
    }
  });
});
