import type { DomainEvent } from '@parley/contracts';
import { handleCommand } from '../command-handler';
import { type Decider, domainError, type DomainError } from '../decider';
import { type Commit, ConcurrencyError, type EventStore } from '../event-store.port';
import type { LeaseStore } from '../lease.port';
import { EmbeddedEventStore } from '../embedded/embedded-event-store';
import { type CopyableEventLog, LogMismatchError } from '../log-copy';

export interface EventStoreHarness {
  store: EventStore & CopyableEventLog;
  leases: LeaseStore;
  /** A new store instance over the same storage, as after a restart. */
  reopen(): Promise<EventStore & CopyableEventLog>;
  close(): Promise<void>;
}

type Liked = DomainEvent<'parley.post.liked.v2'>;

let counter = 0;
const uniqueStream = (label: string) =>
  `post-${label}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
const context = { correlationId: 'corr-contract', causationId: null };

function liked(postId: string, accountId: string): Liked {
  return {
    type: 'parley.post.liked.v2',
    data: {
      postId,
      accountId,
      likedAt: '2026-11-24T12:00:00.000Z',
    },
  };
}

/** A decider that appends one like per command: a counter that must never lose an increment. */
const likeCounter: Decider<number, { postId: string; accountId: string }, Liked, DomainError> = {
  initialState: 0,
  evolve: (count) => count + 1,
  decide: (command, count) =>
    count >= 1000
      ? domainError('TooManyLikes', 'enough')
      : [liked(command.postId, command.accountId)],
};

/** The behaviour every EventStore adapter must have, run against each of them. */
export function eventStoreContract(adapter: string, open: () => Promise<EventStoreHarness>): void {
  describe(`EventStore contract: ${adapter}`, () => {
    let harness: EventStoreHarness;
    let store: EventStore & CopyableEventLog;

    beforeEach(async () => {
      harness = await open();
      store = harness.store;
    });

    afterEach(async () => {
      await harness.close();
    });

    it('appends events and reads them back in order, wrapped in envelopes', async () => {
      const stream = uniqueStream('read');
      const first = await store.append(stream, 0, [liked('p1', 'a'), liked('p1', 'b')], context);
      expect(first.version).toBe(2);
      const second = await store.append(stream, 2, [liked('p1', 'c')], {
        correlationId: 'corr-2',
        causationId: 'cause-1',
      });
      expect(second.version).toBe(3);

      const slice = await store.readStream(stream);
      expect(slice.version).toBe(3);
      expect(slice.events.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
      expect(slice.events.map((e) => (e.data as { accountId: string }).accountId)).toEqual([
        'a',
        'b',
        'c',
      ]);
      const last = slice.events[2];
      expect(last).toMatchObject({
        specversion: '1.0',
        source: store.source,
        type: 'parley.post.liked.v2',
        subject: stream,
        datacontenttype: 'application/json',
        correlationId: 'corr-2',
        causationId: 'cause-1',
      });
      expect(new Set(slice.events.map((e) => e.id)).size).toBe(3);
      expect((await store.readStream(uniqueStream('empty'))).version).toBe(0);
    });

    it("reads only the events after a version the stream had, with the stream's version", async () => {
      const stream = uniqueStream('after');
      await store.append(stream, 0, [liked('p1', 'a'), liked('p1', 'b')], context);
      await store.append(stream, 2, [liked('p1', 'c')], context);
      await store.append(stream, 3, [liked('p1', 'd'), liked('p1', 'e')], context);
      const after = async (version: number) => {
        const slice = await store.readStream(stream, version);
        return [slice.version, slice.events.map((e) => e.streamVersion)];
      };
      expect(await after(2)).toEqual([5, [3, 4, 5]]);
      expect(await after(3)).toEqual([5, [4, 5]]);
      expect(await after(5)).toEqual([5, []]);
      expect(await after(0)).toEqual([5, [1, 2, 3, 4, 5]]);
    });

    it('refuses an append at a stale version, or beyond the head, with a ConcurrencyError', async () => {
      const stream = uniqueStream('stale');
      await store.append(stream, 0, [liked('p', 'a')], context);
      await store.append(stream, 1, [liked('p', 'b')], context);
      await expect(store.append(stream, 1, [liked('p', 'c')], context)).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
      await expect(store.append(stream, 0, [liked('p', 'c')], context)).rejects.toMatchObject({
        actualVersion: 2,
      });
      await expect(store.append(stream, 5, [liked('p', 'c')], context)).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
      expect((await store.readStream(stream)).version).toBe(2);
    });

    it('lets exactly one of many racing appends at the same version win', async () => {
      const stream = uniqueStream('race');
      await store.append(stream, 0, [liked('p', 'seed')], context);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          store.append(stream, 1, [liked('p', `w${i}`), liked('p', `w${i}-2`)], context),
        ),
      );
      const winners = results.filter((r) => r.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      expect(
        results
          .filter((r) => r.status === 'rejected')
          .every((r) => r.reason instanceof ConcurrencyError),
      ).toBe(true);
      const slice = await store.readStream(stream);
      expect(slice.events.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
    });

    it('loses no increment when many writers race through the command handler', async () => {
      const stream = uniqueStream('counter');
      const writers = 12;
      await Promise.all(
        Array.from({ length: writers }, (_, i) =>
          handleCommand(store, likeCounter, stream, { postId: 'p', accountId: `a${i}` }, context, {
            retriesOnConflict: 50,
          }),
        ),
      );
      const slice = await store.readStream(stream);
      expect(slice.version).toBe(writers);
      expect(slice.events.map((e) => e.streamVersion)).toEqual(
        Array.from({ length: writers }, (_, i) => i + 1),
      );
    });

    it('appends a new stream without reading it, and refuses a "new" stream that exists', async () => {
      const stream = uniqueStream('new');
      const reads = jest.spyOn(store, 'readStream');
      const first = await handleCommand(
        store,
        likeCounter,
        stream,
        { postId: 'p', accountId: 'a' },
        context,
        {
          newStream: true,
          retriesOnConflict: 0,
        },
      );
      expect(first).toMatchObject({ ok: true, state: 1, version: 1 });
      expect(reads).not.toHaveBeenCalled();
      await expect(
        handleCommand(store, likeCounter, stream, { postId: 'p', accountId: 'b' }, context, {
          newStream: true,
          retriesOnConflict: 0,
        }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      reads.mockRestore();
      expect((await store.readStream(stream)).version).toBe(1);
    });

    it('returns a domain error as a value and appends nothing', async () => {
      const refuse: Decider<number, null, Liked, DomainError<'Nope'>> = {
        initialState: 0,
        evolve: (s) => s,
        decide: () => domainError('Nope', 'not allowed'),
      };
      const stream = uniqueStream('refused');
      const outcome = await handleCommand(store, refuse, stream, null, context);
      expect(outcome).toEqual({
        ok: false,
        error: { kind: 'domain-error', code: 'Nope', message: 'not allowed' },
      });
      expect((await store.readStream(stream)).version).toBe(0);
    });

    it('refuses events that do not match their schema, before anything is written', async () => {
      const stream = uniqueStream('invalid');
      const bad = { type: 'parley.post.liked.v2', data: { postId: 'p' } } as unknown as Liked;
      await expect(store.append(stream, 0, [bad], context)).rejects.toThrow(
        /does not match its schema/,
      );
      expect((await store.readStream(stream)).version).toBe(0);
    });

    it('lists unpublished commits in stream order until they are marked published', async () => {
      const a = uniqueStream('pub-a');
      const b = uniqueStream('pub-b');
      await store.append(a, 0, [liked('p', '1')], context);
      await store.append(b, 0, [liked('p', '2')], context);
      await store.append(a, 1, [liked('p', '3'), liked('p', '4')], context);
      const mine = (await store.readUnpublished(1000)).filter(
        (c) => c.streamId === a || c.streamId === b,
      );
      const ofA = mine.filter((c) => c.streamId === a);
      expect(ofA.map((c) => [c.version, c.lastVersion])).toEqual([
        [1, 1],
        [2, 3],
      ]);
      await store.markPublished(ofA.map((c) => c.id));
      const left = (await store.readUnpublished(1000)).filter(
        (c) => c.streamId === a || c.streamId === b,
      );
      expect(left.map((c) => c.streamId)).toEqual([b]);
    });

    it('takes commits copied from another log as they were, unpublished, once, and refuses another commit in their place', async () => {
      const source = await EmbeddedEventStore.open(store.source);
      const stream = uniqueStream('copy');
      await source.append(stream, 0, [liked('p', 'a'), liked('p', 'b')], context);
      await source.append(stream, 2, [liked('p', 'c')], { correlationId: 'c2', causationId: 'x' });
      const commits: Commit[] = [];
      for await (const commit of source.allCommits()) commits.push(commit);
      const [first, second] = commits as [Commit, Commit];

      await expect(store.importCommit(second)).rejects.toBeInstanceOf(LogMismatchError);
      expect(await store.importCommit(first)).toBe('written');
      expect(await store.importCommit(second)).toBe('written');
      expect(await store.importCommit(first)).toBe('present');

      const reopened = await harness.reopen();
      expect((await reopened.readStream(stream)).events).toEqual(
        (await source.readStream(stream)).events,
      );
      const copied: Commit[] = [];
      for await (const commit of reopened.allCommits())
        if (commit.streamId === stream) copied.push(commit);
      expect(copied).toEqual(commits);
      const unpublished = (await reopened.readUnpublished(1000)).filter(
        (c) => c.streamId === stream,
      );
      expect(unpublished.map((c) => c.id)).toEqual(commits.map((c) => c.id));

      const other = await EmbeddedEventStore.open(store.source);
      await other.append(stream, 0, [liked('p', 'z')], context);
      for await (const commit of other.allCommits())
        await expect(reopened.importCommit(commit)).rejects.toBeInstanceOf(LogMismatchError);
    });

    it('keeps every commit and the published marks across a restart', async () => {
      const stream = uniqueStream('restart');
      await store.append(stream, 0, [liked('p', 'a')], context);
      const [commit] = (await store.readUnpublished(1000)).filter((c) => c.streamId === stream);
      await store.markPublished([commit!.id]);
      await store.append(stream, 1, [liked('p', 'b')], context);

      const reopened = await harness.reopen();
      const slice = await reopened.readStream(stream);
      expect(slice.events.map((e) => (e.data as { accountId: string }).accountId)).toEqual([
        'a',
        'b',
      ]);
      const unpublished = (await reopened.readUnpublished(1000)).filter(
        (c) => c.streamId === stream,
      );
      expect(unpublished.map((c) => c.version)).toEqual([2]);
      await expect(reopened.append(stream, 1, [liked('p', 'c')], context)).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
    });

    it('gives a lease to one owner at a time, and to another once it expires or is released', async () => {
      const name = uniqueStream('lease');
      expect(await harness.leases.tryAcquire(name, 'one', 60_000)).toBe(true);
      expect(await harness.leases.tryAcquire(name, 'two', 60_000)).toBe(false);
      expect(await harness.leases.tryAcquire(name, 'one', 60_000)).toBe(true);
      const racers = await Promise.all(
        ['x', 'y', 'z'].map((o) => harness.leases.tryAcquire(`${name}-race`, o, 60_000)),
      );
      expect(racers.filter(Boolean)).toHaveLength(1);
      await harness.leases.release(name, 'one');
      expect(await harness.leases.tryAcquire(name, 'two', 50)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(await harness.leases.tryAcquire(name, 'three', 60_000)).toBe(true);
    });

    it('does not give a lease back to an owner that let it expire once another took it', async () => {
      const name = uniqueStream('lease-stalled');
      expect(await harness.leases.tryAcquire(name, 'stalled', 20)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(await harness.leases.tryAcquire(name, 'next', 60_000)).toBe(true);
      expect(await harness.leases.tryAcquire(name, 'stalled', 60_000)).toBe(false);
      await harness.leases.release(name, 'stalled');
      expect(await harness.leases.tryAcquire(name, 'next', 60_000)).toBe(true);
      expect(await harness.leases.tryAcquire(name, 'other', 60_000)).toBe(false);
    });

    it('gives an expired lease to one of the owners racing for it', async () => {
      const name = uniqueStream('lease-expired');
      for (let round = 0; round < 10; round++) {
        await harness.leases.tryAcquire(name, `holder-${round}`, 20);
        await new Promise((resolve) => setTimeout(resolve, 40));
        const racers = await Promise.all(
          ['x', 'y', 'z', 'w'].map((o) => harness.leases.tryAcquire(name, `${o}-${round}`, 60_000)),
        );
        expect({ round, winners: racers.filter(Boolean).length }).toEqual({ round, winners: 1 });
        const winner = ['x', 'y', 'z', 'w'][racers.indexOf(true)];
        await harness.leases.release(name, `${winner}-${round}`);
      }
    });
  });
}
