import { MongoDocumentStore } from '@parley/readmodel';
import { describeInfra, testInfra } from '@parley/testing';
import type { Connection } from 'mongoose';
import { connectMongo, mongoConnectionProbe } from './mongo';

describeInfra('the database connection watchdog on the Mongo-compatible server', () => {
  let connection: Connection;
  let uri: string;

  beforeAll(async () => {
    uri = testInfra().mongoUri('watchdog');
    connection = await connectMongo(uri);
  });

  afterAll(async () => {
    await connection?.close();
  });

  it('reopens the connection with its collections still usable', async () => {
    const documents = new MongoDocumentStore(connection);
    const notes = documents.collection<{ _id: string; text: string }>('notes');
    await notes.insertOne({ _id: 'before', text: 'written before reopening' });

    const probe = mongoConnectionProbe(connection, uri);
    await probe.ping();
    await probe.reopen();
    await probe.ping();

    // The same collection object reads what was there and writes again.
    expect(await notes.findOne({ _id: 'before' })).toMatchObject({
      text: 'written before reopening',
    });
    await notes.insertOne({ _id: 'after', text: 'written after reopening' });
    expect((await notes.find({})).map((n) => n._id).sort()).toEqual(['after', 'before']);
  });

  it('tells a server that is there from one that is not with a new client', async () => {
    await expect(mongoConnectionProbe(connection, uri).pingAfresh()).resolves.toBeUndefined();
    // Nothing listens on port 9 (discard) of the loopback address.
    await expect(
      mongoConnectionProbe(connection, 'mongodb://127.0.0.1:9/nowhere').pingAfresh(),
    ).rejects.toThrow();
  });
});
