import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bodyOf, parleyClient } from '@parley/client';
import { MemoryDocumentStore } from '@parley/readmodel';
import { seedDemo } from '../../apps/standalone/src/demo-seed';
import {
  type EmbeddedParley,
  startEmbeddedParley,
} from '../../apps/standalone/src/embedded-platform';
import { eventually } from '@parley/testing';

const SERVICES = ['gateway', 'posts', 'comments', 'notifications'] as const;

/** Every read-model document of every service of the process, by service and collection. */
function documentsOf(parley: EmbeddedParley): Record<string, Record<string, unknown[]>> {
  const all: Record<string, Record<string, unknown[]>> = {};
  for (const running of [parley.gateway, ...parley.services]) {
    const store = running.infra.documents;
    if (!(store instanceof MemoryDocumentStore)) throw new Error('embedded stores only');
    const collections: Record<string, unknown[]> = {};
    for (const { name, docs } of store.keptInMemory())
      if (docs.length > 0)
        collections[name] = [...docs].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
    all[running.infra.service] = collections;
  }
  return all;
}

/**
 * A stop keeps the read models; the next start takes them. What it then holds must be what a
 * start replaying every log builds: the same documents in every collection of every service.
 */
describe('read models kept by a stop (embedded)', () => {
  jest.setTimeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-kept-'));
  let parley: EmbeddedParley | undefined;
  let logged: string[] = [];
  const start = () => {
    logged = [];
    return startEmbeddedParley({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      logLevel: 'info',
      logDestination: { write: (line: string) => void logged.push(line) },
      trustProxy: true,
    });
  };
  /** The services whose start took the read models their last stop kept. */
  const taking = () =>
    logged
      .filter((line) => line.includes('read models taken from the last stop'))
      .map((line) => (JSON.parse(line) as { app: string }).app)
      .sort();
  const kept = SERVICES.map((service) => join(dataDir, service, 'read-models.jsonl'));

  afterAll(async () => {
    await parley?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds after a start what a start replaying every log holds', async () => {
    parley = await start();
    const summary = await seedDemo(parley.url);
    expect(summary.seeded).toBe(true);
    await parley.close();
    expect(kept.filter((file) => !existsSync(file))).toEqual([]);

    // Taken from the stop, with a write on top of them.
    parley = await start();
    expect(kept.filter((file) => existsSync(file))).toEqual([]);
    const api = parleyClient({ baseUrl: parley.url });
    const post = bodyOf(await api.posts.list({ query: { limit: 1 } })).items[0]!;
    const thread = bodyOf(await api.comments.thread({ params: { id: post.id } }));
    expect(thread.totals.comments).toBe(12);
    // From another address than the seed's, which flood control (kept too) would hold back.
    const written = await fetch(`${parley.url}/api/v1/posts/${post.id}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
      body: JSON.stringify({
        body: 'Written after a start that took the kept read models.',
        author: { name: 'Kept Reader', email: 'kept.reader@example.com' },
      }),
    });
    expect(written.status).toBe(201);
    // Held for moderation (a guest's first comment); the stop waits until every read model has it.
    await parley.close();
    parley = await start();
    expect(taking()).toEqual([...SERVICES].sort());
    const taken = documentsOf(parley);
    await parley.close();

    // Nothing kept: every log replayed.
    for (const file of kept) rmSync(file);
    parley = await start();
    expect(taking()).toEqual([]);
    // Once every projection has replayed every log (a start does not wait for it).
    const replayed = await eventually(
      async () => {
        const now = documentsOf(parley!);
        try {
          expect(now).toEqual(taken);
          return now;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 30_000 },
    ).catch(() => documentsOf(parley!));
    expect(replayed).toEqual(taken);
    expect(Object.keys(taken.comments ?? {}).length).toBeGreaterThan(3);
  });
});
