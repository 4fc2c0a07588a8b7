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
});
