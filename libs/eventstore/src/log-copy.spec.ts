import type { AnyEvent, DomainEvent } from '@parley/contracts';
import { EmbeddedEventStore } from './embedded/embedded-event-store';
import type { Commit } from './event-store.port';
import { type EventRewrite, LogMismatchError, copyEventLog } from './log-copy';

const context = { correlationId: 'corr-1', causationId: 'cause-1' };
const renamed = (
  accountId: string,
  displayName: string,
): DomainEvent<'parley.account.display-name-changed.v2'> => ({
  type: 'parley.account.display-name-changed.v2',
  data: { accountId, displayName, changedAt: '2026-01-01T00:00:00.000Z' },
});

/** Hides every display name, as a resealer would seal it. */
const hideNames: EventRewrite = async (event) =>
  event.type === 'parley.account.display-name-changed.v2'
    ? { event: { ...event, data: { ...event.data, displayName: 'hidden' } }, sealed: 1 }
    : { event, sealed: 0 };

async function commitsOf(store: EmbeddedEventStore): Promise<Commit[]> {
  const commits: Commit[] = [];
  for await (const commit of store.allCommits()) commits.push(commit);
  return commits;
}

async function oldLog(): Promise<EmbeddedEventStore> {
  const store = await EmbeddedEventStore.open('/parley/posts');
  await store.append('post-a', 0, [renamed('x', 'Ann'), renamed('y', 'Bob')], context);
  await store.append('post-b', 0, [renamed('z', 'Cy')], context);
  await store.append('post-a', 2, [renamed('w', 'Di')], context);
  return store;
}

describe('copyEventLog', () => {
  it('copies every commit with its stream, versions, ids, times and correlation, rewritten', async () => {
    const from = await oldLog();
    const to = await EmbeddedEventStore.open('/parley/posts');
    const summary = await copyEventLog({ from, to, rewrite: hideNames });
    expect(summary).toEqual({ streams: 2, commits: 3, events: 4, written: 3, sealed: 4 });

    const before = await commitsOf(from);
    const after = await commitsOf(to);
    expect(after.map((c) => [c.id, c.version, c.lastVersion, c.committedAt])).toEqual(
      before.map((c) => [c.id, c.version, c.lastVersion, c.committedAt]),
    );
    const strip = (e: AnyEvent) => ({ ...e, data: { ...e.data, displayName: undefined } });
    expect(after.flatMap((c) => c.events.map(strip))).toEqual(
      before.flatMap((c) => c.events.map(strip)),
    );
    expect(
      after.flatMap((c) => c.events.map((e) => (e.data as { displayName: string }).displayName)),
    ).toEqual(['hidden', 'hidden', 'hidden', 'hidden']);
    expect((await to.readUnpublished(100)).map((c) => c.id)).toEqual(before.map((c) => c.id));
  });

  it('copies nothing more when run again, and finishes a copy that stopped half way', async () => {
    const from = await oldLog();
    const to = await EmbeddedEventStore.open('/parley/posts');
    const [first] = await commitsOf(from);
    await to.importCommit(first!);

    const resumed = await copyEventLog({ from, to, rewrite: hideNames });
    expect(resumed).toMatchObject({ commits: 3, written: 2, sealed: 2 });
    const again = await copyEventLog({ from, to, rewrite: hideNames });
    expect(again).toMatchObject({ commits: 3, events: 4, written: 0, sealed: 0 });
    expect(await commitsOf(to)).toHaveLength(3);
  });

  it('refuses a target that holds another log before writing anything', async () => {
    const from = await oldLog();
    const to = await EmbeddedEventStore.open('/parley/posts');
    await to.append('post-c', 0, [renamed('q', 'Eve')], context);
    await expect(copyEventLog({ from, to })).rejects.toBeInstanceOf(LogMismatchError);
    expect((await commitsOf(to)).map((c) => c.streamId)).toEqual(['post-c']);
  });

  it('refuses a rewrite that breaks its event’s schema', async () => {
    const from = await oldLog();
    const to = await EmbeddedEventStore.open('/parley/posts');
    const breaks: EventRewrite = async (event) => ({
      event: { ...event, data: { ...event.data, displayName: '' } } as AnyEvent,
      sealed: 0,
    });
    await expect(copyEventLog({ from, to, rewrite: breaks })).rejects.toThrow(/displayName/);
    expect(await commitsOf(to)).toHaveLength(0);
  });
});
