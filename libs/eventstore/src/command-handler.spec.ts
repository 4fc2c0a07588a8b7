import type { DomainEvent } from '@parley/contracts';
import { KeptStreamState, handleCommand } from './command-handler';
import type { Decider } from './decider';
import { EmbeddedEventStore } from './embedded/embedded-event-store';

type Liked = DomainEvent<'parley.post.liked.v2'>;
type Signed = DomainEvent<'parley.login.succeeded.v1'>;

/** A like, and with it (when asked) a private note kept in the store only. */
const likes: Decider<number, { withPrivateNote: boolean }, Liked | Signed> = {
  initialState: 0,
  evolve: (count, event) => (event.type === 'parley.post.liked.v2' ? count + 1 : count),
  decide: (command, count, now) => [
    {
      type: 'parley.post.liked.v2',
      data: {
        postId: 'p1',
        accountId: `a${count}`,
        displayName: 'Amy',
        likedAt: now.toISOString(),
      },
    },
    ...(command.withPrivateNote
      ? [
          {
            type: 'parley.login.succeeded.v1' as const,
            data: { key: 'k', succeededAt: now.toISOString() },
          },
        ]
      : []),
  ],
};

describe('handleCommand', () => {
  const context = { correlationId: 'c', causationId: null };

  it('reports the version read models reach: that of the last published event, not of a private one after it', async () => {
    const store = await EmbeddedEventStore.open('/parley/test');
    const first = await handleCommand(store, likes, 's1', { withPrivateNote: true }, context);
    expect(first).toMatchObject({ ok: true, version: 2, projectedVersion: 1 });
    const second = await handleCommand(store, likes, 's1', { withPrivateNote: false }, context);
    expect(second).toMatchObject({ ok: true, version: 3, projectedVersion: 3 });
    await store.close();
  });
});

describe('a kept stream state', () => {
  const context = { correlationId: 'c', causationId: null };

  it("is the stream's latest state, read from the store only after the version it holds", async () => {
    const store = await EmbeddedEventStore.open('/parley/test');
    const asked: (number | undefined)[] = [];
    const read = store.readStream.bind(store);
    store.readStream = (streamId, after) => {
      asked.push(after);
      return read(streamId, after);
    };
    const kept = new KeptStreamState(store, likes, 's1');
    expect(await kept.current()).toEqual({ state: 0, version: 0 });
    await handleCommand(store, likes, 's1', { withPrivateNote: false }, context);
    await handleCommand(store, likes, 's1', { withPrivateNote: true }, context);
    expect(await kept.current()).toEqual({ state: 2, version: 3 });
    expect(await kept.current()).toEqual({ state: 2, version: 3 });
    await handleCommand(store, likes, 's1', { withPrivateNote: false }, context);
    const [first, second] = await Promise.all([kept.current(), kept.current()]);
    expect([first, second, await kept.current()]).toEqual([
      { state: 3, version: 4 },
      { state: 3, version: 4 },
      { state: 3, version: 4 },
    ]);
    // The two reads that overlapped asked the store once.
    expect(asked.filter((after) => after !== undefined)).toEqual([0, 0, 3, 3, 4]);
  });

  it('within its freshness is served without a read, with what this process remembered at once', async () => {
    const store = await EmbeddedEventStore.open('/parley/test');
    let reads = 0;
    const read = store.readStream.bind(store);
    store.readStream = (streamId, after) => {
      if (after !== undefined) reads += 1;
      return read(streamId, after);
    };
    let clock = 0;
    const kept = new KeptStreamState(store, likes, 's1', { freshForMs: 1000, now: () => clock });
    expect(await kept.current()).toEqual({ state: 0, version: 0 });
    // Another process appends: not seen until the freshness ends.
    await handleCommand(store, likes, 's1', { withPrivateNote: false }, context);
    clock = 999;
    expect([await kept.current(), reads]).toEqual([{ state: 0, version: 0 }, 1]);
    clock = 1000;
    expect([await kept.current(), reads]).toEqual([{ state: 1, version: 1 }, 2]);
    // This process appends and remembers it: seen at once, still without a read.
    const own = await handleCommand(store, likes, 's1', { withPrivateNote: false }, context);
    if (!own.ok) throw new Error('appended');
    kept.remember(own.state, own.version);
    clock = 1001;
    expect([await kept.current(), reads]).toEqual([{ state: 2, version: 2 }, 2]);
    // An older state remembered late changes nothing.
    kept.remember(1, 1);
    clock = 2000;
    expect([await kept.current(), reads]).toEqual([{ state: 2, version: 2 }, 3]);
  });
});
