import { randomUUID } from 'node:crypto';
import type { CommentAuthor } from '@parley/contracts';
import { MongoEventStore } from '@parley/eventstore';
import { MongoPersonKeyStore, PersonalDataCipher, accountPerson } from '@parley/privacy';
import { describeInfra, runEntryPoint, testInfra } from '@parley/testing';
import mongoose, { type Connection } from 'mongoose';
import { openGuest } from '../../apps/comments/src/personal-data/comment-personal-data';
import { plaintextCommentCommit } from '../../apps/comments/src/testing/plaintext-comments';

const GUESTS = [
  { name: 'Quinn Plaintext', email: 'quinn.plaintext@example.com', url: 'https://quinn.example' },
  { name: 'Rosa Cleartext', email: 'rosa.cleartext@example.com', url: null },
];

/** The database a test URI names. */
const databaseOf = (uri: string) => new URL(uri).pathname.slice(1);

/**
 * `npm run migrate-log -- --service comments --to <database>` with the comments service's
 * environment, on the shared Mongo-compatible server: the log of a database holding plaintext
 * guest comments is copied into another database with their names and addresses sealed.
 */
describeInfra('migrating the comments log into a new database (distributed)', () => {
  jest.setTimeout(180_000);
  const sourceUri = testInfra().mongoUri('migrate-from');
  const targetUri = testInfra().mongoUri('migrate-to');
  const otherUri = testInfra().mongoUri('migrate-other');
  const connections: Connection[] = [];
  const connect = async (uri: string) => {
    const connection = await mongoose.createConnection(uri).asPromise();
    connections.push(connection);
    return connection;
  };
  const migrateLog = (to: string) =>
    runEntryPoint('comments', ['migrate-log', '--service', 'comments', '--to', to], {
      env: {
        LOG_LEVEL: 'warn',
        KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
        MONGODB_URI: sourceUri,
        METRICS_PORT: '0',
        // The service's environment: migrating its log opens no account's data.
        IDENTITY_URL: 'http://127.0.0.1:9',
      },
    });
  const commentIds = GUESTS.map(() => randomUUID());

  beforeAll(async () => {
    const source = await connect(sourceUri);
    const log = new MongoEventStore(source, '/parley/comments');
    await log.init();
    for (const [i, guest] of GUESTS.entries())
      await log.importCommit(
        plaintextCommentCommit({
          ...guest,
          commentId: commentIds[i]!,
          postId: 'post-1',
          body: `Old comment ${i + 1}`,
          postedAt: '2024-05-01T10:00:00.000Z',
        }),
      );
    const keys = new MongoPersonKeyStore(source);
    await keys.init();
    await keys.keyFor(accountPerson('someone'));
  });

  afterAll(async () => {
    for (const connection of connections) {
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    }
  });

  it('copies the log and its keys into the new database, the guests’ data sealed, once', async () => {
    const run = await migrateLog(databaseOf(targetUri));
    expect(run.stderr).toContain(
      'comments: 2 streams, 2 commits, 2 events; 2 commits written now (0 there already), 5 personal data fields sealed, 1 person keys copied',
    );
    expect(run.code).toBe(0);

    const target = await connect(targetUri);
    const docs = await target.collection('commits').find({}).toArray();
    const raw = JSON.stringify(docs);
    expect(docs).toHaveLength(2);
    for (const guest of GUESTS)
      for (const text of [guest.name, guest.email, guest.url])
        if (text) expect(raw).not.toContain(text);

    const log = new MongoEventStore(target, '/parley/comments');
    const cipher = new PersonalDataCipher(new MongoPersonKeyStore(target));
    for (const [i, guest] of GUESTS.entries()) {
      const [posted] = (await log.readStream(`comment-${commentIds[i]}`)).events;
      expect(posted?.type).toBe('parley.comment.posted.v3');
      const author = (posted?.data as { author: CommentAuthor }).author;
      if (author.kind !== 'guest') throw new Error('a guest wrote it');
      expect(await openGuest(cipher, author)).toEqual({ ...guest, erased: false });
    }

    const again = await migrateLog(databaseOf(targetUri));
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(
      '0 commits written now (2 there already), 0 personal data fields sealed',
    );
    expect(await target.collection('commits').countDocuments()).toBe(2);
  });

  it('refuses a database holding another log, and one that is its own', async () => {
    const other = await connect(otherUri);
    const log = new MongoEventStore(other, '/parley/comments');
    await log.init();
    await log.importCommit(
      plaintextCommentCommit({
        ...GUESTS[0]!,
        commentId: randomUUID(),
        postId: 'post-2',
        body: 'Another blog',
        postedAt: '2024-05-02T10:00:00.000Z',
      }),
    );
    const refused = await migrateLog(databaseOf(otherUri));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not migrated: the target already holds another log');
    expect(await other.collection('commits').countDocuments()).toBe(1);

    const itself = await migrateLog(databaseOf(sourceUri));
    expect(itself.code).toBe(64);
    expect(itself.stderr).toContain("the service's own database");
  });
});
