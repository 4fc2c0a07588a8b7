import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreContract } from '../testing/event-store.contract';
import { EmbeddedEventStore } from './embedded-event-store';
import { EmbeddedLeaseStore } from './embedded-lease-store';

eventStoreContract('embedded (JSON-lines log)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-es-'));
  const path = join(dir, 'events.jsonl');
  const stores: EmbeddedEventStore[] = [await EmbeddedEventStore.open('/parley/test', path)];
  return {
    store: stores[0]!,
    leases: new EmbeddedLeaseStore(),
    async reopen() {
      await stores[0]!.close();
      const reopened = await EmbeddedEventStore.open('/parley/test', path);
      stores.push(reopened);
      return reopened;
    },
    async close() {
      await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('EmbeddedEventStore on disk', () => {
  it('drops a torn last line (a crash mid-write) and keeps every acknowledged commit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-es-'));
    const path = join(dir, 'events.jsonl');
    const store = await EmbeddedEventStore.open('/parley/test', path);
    const event = {
      type: 'parley.post.liked.v2' as const,
      data: { postId: 'p', accountId: 'a', displayName: 'A', likedAt: '2026-11-24T12:00:00.000Z' },
    };
    await store.append('post-1', 0, [event], { correlationId: 'c-123456', causationId: null });
    await store.close();
    await writeFile(path, `${await readFile(path, 'utf8')}{"t":"commit","c":{"id":"post-1@2"`);

    const reopened = await EmbeddedEventStore.open('/parley/test', path);
    expect((await reopened.readStream('post-1')).version).toBe(1);
    await reopened.append('post-1', 1, [event], { correlationId: 'c-123456', causationId: null });
    await reopened.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { t: string }).t)).toEqual(['commit', 'commit']);
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back from the file the streams of a log larger than the commits it keeps decoded, after a reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-es-'));
    const path = join(dir, 'events.jsonl');
    const store = await EmbeddedEventStore.open('/parley/test', path);
    const context = { correlationId: 'c-123456', causationId: null };
    const liked = (n: number) => ({
      type: 'parley.post.liked.v2' as const,
      data: { postId: `p${n}`, accountId: `a${n}`, likedAt: '2026-11-24T12:00:00.000Z' },
    });
    const odd = 'post-"quoted" \\ and é';
    const count = 5_000;
    await Promise.all(
      Array.from({ length: count }, (_, n) => store.append(`post-${n}`, 0, [liked(n)], context)),
    );
    await store.append(odd, 0, [liked(-1)], context);
    await store.append(odd, 1, [liked(-2), liked(-3)], context);
    const published = (await store.readUnpublished(10)).map((c) => c.id);
    await store.markPublished(published);
    await store.close();

    const reopened = await EmbeddedEventStore.open('/parley/test', path);
    const first = await reopened.readStream('post-0');
    expect(first.version).toBe(1);
    expect(first.events[0]?.data).toEqual(liked(0).data);
    expect((await reopened.readStream(`post-${count - 1}`)).events[0]?.data).toEqual(
      liked(count - 1).data,
    );
    const oddStream = await reopened.readStream(odd, 1);
    expect(oddStream.version).toBe(3);
    expect(oddStream.events.map((e) => e.streamVersion)).toEqual([2, 3]);
    const unpublished = await reopened.readUnpublished(count + 10);
    expect(unpublished).toHaveLength(count + 2 - published.length);
    expect(unpublished.map((c) => c.id)).not.toContain(published[0]);
    await expect(reopened.append(odd, 2, [liked(-4)], context)).rejects.toThrow(/not at version 2/);
    let commits = 0;
    for await (const commit of reopened.allCommits()) commits += commit.events.length > 0 ? 1 : 0;
    expect(commits).toBe(count + 2);
    await reopened.close();
    await rm(dir, { recursive: true, force: true });
  });
});
