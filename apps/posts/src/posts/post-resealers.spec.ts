import { type Commit, reviveEnvelope } from '@parley/eventstore';
import { commitsOf, emptyServiceLog, migrateToEmptyLog } from '@parley/testing';
import { oldLikeCommit, oldPostCommit } from '../testing/old-post-events';
import { postDecider } from './post.decider';
import type { PostEvent } from './post.decider';
import { postStream } from './post-stream';
import { postResealers } from './post-resealers';

const at = '2025-03-01T10:00:00.000Z';
const amy = '0b6c1f7e-6f0d-4a3e-9a57-0d5e2c1b7a01';
const bo = '0b6c1f7e-6f0d-4a3e-9a57-0d5e2c1b7a02';
const wordpress = { system: 'wordpress' as const, site: 'https://old.example', id: '7' };
const writer = 'wordpress-5e1f0c2a9b7d4e3f8a6b1c0d';

/** A post's state as the copied log gives it back. */
function postIn(commits: Commit[], postId: string) {
  const events = commits
    .filter((c) => c.streamId === postStream(postId))
    .flatMap((c) => c.events.map(reviveEnvelope)) as unknown as PostEvent[];
  return events.reduce(postDecider.evolve, postDecider.initialState);
}

describe('the posts log migrated to a new store', () => {
  it('keeps no name an event copied from an account, and an imported writer’s byline', async () => {
    const from = await emptyServiceLog('/parley/posts');
    const old = [
      oldPostCommit({
        postId: 'written',
        authorId: amy,
        authorName: 'Amy Copiedname',
        slug: 'written',
        title: 'Written here',
        at,
        published: true,
      }),
      oldPostCommit({
        postId: 'imported-by-amy',
        authorId: amy,
        authorName: 'Amy Byline',
        slug: 'imported-by-amy',
        title: 'Imported, by an account',
        at,
        imported: wordpress,
      }),
      oldPostCommit({
        postId: 'imported-by-writer',
        authorId: writer,
        authorName: 'Wanda Oldblog',
        slug: 'imported-by-writer',
        title: 'Imported, by a writer of the old blog',
        at,
        published: true,
        imported: { ...wordpress, id: '8' },
      }),
      oldLikeCommit({ postId: 'written', accountId: bo, displayName: 'Bo Likername', at }),
    ];
    for (const commit of old) await from.log.importCommit(commit);

    const { to, summary } = await migrateToEmptyLog('posts', postResealers, from);

    expect(summary).toMatchObject({ streams: 4, commits: 4, events: 6, sealed: 2 });
    const copied = await commitsOf(to.log);
    const stored = JSON.stringify(copied);
    for (const name of ['Amy Copiedname', 'Amy Byline', 'Bo Likername'])
      expect(stored).not.toContain(name);
    expect(new Set(copied.flatMap((c) => c.events.map((e) => e.type)))).toEqual(
      new Set(['parley.post.drafted.v2', 'parley.post.published.v2', 'parley.post.liked.v2']),
    );
    // The read model names an account's post with the account's own name, as the accounts give it.
    expect(postIn(copied, 'written')).toMatchObject({ authorId: amy, authorName: '' });
    expect(postIn(copied, 'imported-by-amy')).toMatchObject({ authorId: amy, authorName: '' });
    expect(postIn(copied, 'imported-by-writer')).toMatchObject({
      authorId: writer,
      authorName: 'Wanda Oldblog',
    });
  });
});
