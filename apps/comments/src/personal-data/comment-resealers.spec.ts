import type { EventOf } from '@parley/contracts';
import { type Commit, EmbeddedEventStore, reviveEnvelope } from '@parley/eventstore';
import {
  EmbeddedPersonKeyStore,
  guestPerson,
  isSealedValue,
  parseSealedValue,
  PersonalDataCipher,
} from '@parley/privacy';
import { commitsOf, migrateToEmptyLog } from '@parley/testing';
import { guestIdOf } from '../comments/comment-keys';
import { plaintextCommentCommit } from '../testing/plaintext-comments';
import { openGuest, sealGuest } from './comment-personal-data';
import { commentResealers } from './comment-resealers';

const context = { correlationId: 'corr', causationId: null };
const gus = { name: 'Gus Plain', email: 'gus@example.com', url: 'https://gus.example' };
const eve = { name: 'Eve Gone', email: 'eve@example.com', url: null };
const sam = { name: 'Sam Sealed', email: 'sam@example.com', url: null };

function postedIn(commits: Commit[], commentId: string): EventOf<'parley.comment.posted.v3'> {
  const event = commits
    .flatMap((c) => c.events)
    .map(reviveEnvelope)
    .find((e) => e.type === 'parley.comment.posted.v3' && e.data.commentId === commentId);
  if (event?.type !== 'parley.comment.posted.v3') throw new Error(`no comment ${commentId}`);
  return event;
}

/** An old comments log: two plaintext v1 comments (one by a guest erased since) and one sealed. */
async function oldLog() {
  const log = await EmbeddedEventStore.open('/parley/comments');
  const keys = await EmbeddedPersonKeyStore.open();
  const at = '2025-03-01T10:00:00.000Z';
  await log.importCommit(
    plaintextCommentCommit({ commentId: 'c1', postId: 'p1', body: 'Hi', postedAt: at, ...gus }),
  );
  await log.importCommit(
    plaintextCommentCommit({ commentId: 'c2', postId: 'p1', body: 'Yo', postedAt: at, ...eve }),
  );
  await log.append(
    'comment-c2',
    1,
    [
      {
        type: 'parley.comment.author-erased.v1',
        data: {
          commentId: 'c2',
          postId: 'p1',
          author: { kind: 'guest', guestId: guestIdOf(eve.email) },
          mode: 'anonymize',
          erasedAt: '2026-01-01T00:00:00.000Z',
        },
      },
    ],
    context,
  );
  await keys.keyFor(guestPerson(eve.email));
  await keys.destroy(guestPerson(eve.email));
  const template = reviveEnvelope(
    plaintextCommentCommit({ commentId: 'c3', postId: 'p1', body: 'Ok', postedAt: at, ...sam })
      .events[0]!,
  ) as EventOf<'parley.comment.posted.v3'>;
  const author = await sealGuest(new PersonalDataCipher(keys), {
    kind: 'guest',
    guestId: guestIdOf(sam.email),
    ...sam,
  });
  await log.append(
    'comment-c3',
    0,
    [{ type: 'parley.comment.posted.v3', data: { ...template.data, author } }],
    context,
  );
  return { log, keys };
}

const migrate = (from: Awaited<ReturnType<typeof oldLog>>) =>
  migrateToEmptyLog('comments', commentResealers, from);

describe('the comments log migrated to a new store', () => {
  it('seals a plaintext guest’s name, email and website under their key, the same sealing new comments get', async () => {
    const from = await oldLog();
    const { to, summary } = await migrate(from);
    expect(summary).toMatchObject({
      streams: 3,
      commits: 4,
      events: 4,
      written: 4,
      sealed: 3 + 2,
      keys: 1,
    });

    const copied = await commitsOf(to.log);
    const c1 = postedIn(copied, 'c1');
    expect(copied.find((c) => c.id === 'comment-c1@1')?.events[0]?.type).toBe(
      'parley.comment.posted.v3',
    );
    const author = c1.data.author as Extract<typeof c1.data.author, { kind: 'guest' }>;
    expect([author.name, author.email, author.url].every(isSealedValue)).toBe(true);
    expect(parseSealedValue(author.email)?.keyId).toBe(
      (await to.keys.keyFor(guestPerson(gus.email))).keyId,
    );
    expect(await openGuest(new PersonalDataCipher(to.keys), author)).toEqual({
      ...gus,
      erased: false,
    });
    const original = postedIn(await commitsOf(from.log), 'c1');
    expect({ ...c1, data: { ...c1.data, author: null } }).toEqual({
      ...original,
      data: { ...original.data, author: null },
    });

    const raw = JSON.stringify(copied);
    for (const text of [gus.name, gus.email, gus.url, eve.name, eve.email, sam.email])
      expect(raw).not.toContain(text);
  });

  it('leaves a guest erased while in plaintext erased: their comment reads as by a deleted reader', async () => {
    const { to } = await migrate(await oldLog());
    const c2 = postedIn(await commitsOf(to.log), 'c2');
    const author = c2.data.author as Extract<typeof c2.data.author, { kind: 'guest' }>;
    expect(isSealedValue(author.email)).toBe(true);
    expect(await openGuest(new PersonalDataCipher(to.keys), author)).toMatchObject({
      erased: true,
      email: null,
    });
    expect((await to.keys.allKeys()).map((k) => k.info.keyId)).not.toContain(
      parseSealedValue(author.email)?.keyId,
    );
  });

  it('copies an already sealed comment as it was, and it still opens with the copied key', async () => {
    const from = await oldLog();
    const { to } = await migrate(from);
    const c3 = postedIn(await commitsOf(to.log), 'c3');
    expect(c3).toEqual(postedIn(await commitsOf(from.log), 'c3'));
    const author = c3.data.author as Extract<typeof c3.data.author, { kind: 'guest' }>;
    expect(await openGuest(new PersonalDataCipher(to.keys), author)).toMatchObject({
      email: sam.email,
    });
  });

  it('copies nothing more when run again', async () => {
    const from = await oldLog();
    const { to, again } = await migrate(from);
    const before = await commitsOf(to.log);
    expect(await again()).toMatchObject({ commits: 4, written: 0, sealed: 0, keys: 0 });
    expect(await commitsOf(to.log)).toEqual(before);
  });

  it('seals an origin’s plaintext IP and user agent with the writer’s key of that day', async () => {
    const from = await oldLog();
    await from.log.append(
      'comment-c1',
      1,
      [
        {
          type: 'parley.comment.origin-recorded.v1',
          data: {
            commentId: 'c1',
            ip: '203.0.113.9',
            userAgent: 'Lynx/2.9',
            recordedAt: '2025-03-01T10:00:00.000Z',
          },
        },
      ],
      context,
    );
    const { to, summary } = await migrate(from);
    expect(summary.sealed).toBe(5 + 2);
    const origin = (await commitsOf(to.log))
      .flatMap((c) => c.events)
      .find(
        (e): e is EventOf<'parley.comment.origin-recorded.v1'> =>
          e.type === 'parley.comment.origin-recorded.v1',
      );
    const cipher = new PersonalDataCipher(to.keys);
    expect(await cipher.open(origin!.data.ip!, 'comment.origin.ip')).toEqual({
      status: 'plain',
      value: '203.0.113.9',
    });
    expect(parseSealedValue(origin!.data.userAgent!)?.keyId).toBe(
      (await to.keys.keyFor(guestPerson(gus.email), '2025-03-01')).keyId,
    );
    expect(JSON.stringify(origin)).not.toContain('203.0.113.9');
  });
});
