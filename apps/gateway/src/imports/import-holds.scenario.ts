import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportState } from '@parley/contracts';
import type { DocumentCollection, DocumentStore } from '@parley/readmodel';
import { type HeldImport, type ImportClaim, ImportHolds } from './import-holds';
import { INTERRUPTED } from './import-recovery';

const HOLD_MS = 30_000;
const T0 = Date.parse('2026-11-28T10:00:00Z');

type Job = HeldImport & { ownerId: string };

/**
 * Gateway replicas sharing the imports' records, as they share the gateway's database: run on
 * the memory store and on the Mongo-compatible server, where two updates conditional on the same
 * hold may both match, and a claim's unique id is what lets one replica alone take an import over.
 */
export function importTakeOverScenario(
  store: string,
  open: () => Promise<{ store: DocumentStore; close: () => Promise<void> }>,
): void {
  describe(`gateway replicas taking over an abandoned import (${store})`, () => {
    let dir: string;
    let clock: Date;
    let opened: { store: DocumentStore; close: () => Promise<void> };
    let jobs: DocumentCollection<Job>;
    let claims: DocumentCollection<ImportClaim>;
    const replica = (runner: string, exclusive = false) =>
      new ImportHolds(jobs, claims, runner, { clock: () => clock, holdMs: HOLD_MS, exclusive });

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'parley-import-holds-'));
      clock = new Date(T0);
      opened = await open();
      const name = `imports_${Math.random().toString(36).slice(2)}`;
      jobs = opened.store.collection<Job>(name);
      claims = opened.store.collection<ImportClaim>(`${name}_claims`);
    });
    afterEach(async () => {
      await opened.close();
      await rm(dir, { recursive: true, force: true });
    });

    async function leftBy(gone: string, state: ImportState, withFile: boolean) {
      const file = join(dir, `${state}.xml`);
      if (withFile) await writeFile(file, '<rss/>');
      await jobs.insertOne({
        _id: `job-${state}`,
        ownerId: 'writer',
        state,
        file,
        ...replica(gone).hold(),
      });
      return file;
    }

    it('is taken by one of two replicas, only once its hold has lapsed, and run again with its file', async () => {
      await leftBy('gone', 'importing', true);
      const [a, b] = [replica('a'), replica('b')];
      expect(await a.takeOver()).toEqual([]);
      clock = new Date(T0 + HOLD_MS + 1);
      const [byA, byB] = await Promise.all([a.takeOver(), b.takeOver()]);
      const taken = [...byA, ...byB];
      expect(taken).toHaveLength(1);
      expect(taken[0]!.recovery).toEqual({ action: 'resume' });
      const winner = byA.length === 1 ? 'a' : 'b';
      expect(await jobs.findOne({ _id: 'job-importing' })).toMatchObject({ heldBy: winner });
      // The winner renews its hold while it runs: the other never takes it.
      clock = new Date(T0 + 2 * HOLD_MS);
      await (winner === 'a' ? a : b).renew();
      clock = new Date(T0 + 2 * HOLD_MS + 1);
      expect([...(await a.takeOver()), ...(await b.takeOver())]).toEqual([]);
    });

    it('fails one whose file is gone, and one cut off while it was uploaded', async () => {
      await leftBy('gone', 'importing', false);
      await leftBy('gone', 'checking', true);
      clock = new Date(T0 + HOLD_MS + 1);
      const taken = await replica('a').takeOver();
      expect(taken.map(({ job, recovery }) => [job._id, recovery])).toEqual([
        ['job-importing', { action: 'fail', reason: INTERRUPTED.fileGone }],
        ['job-checking', { action: 'fail', reason: INTERRUPTED.upload }],
      ]);
    });

    it('is taken at once by the next start of an embedded process, and at once when its process let go', async () => {
      await leftBy('previous-run', 'queued', true);
      expect(await replica('next-run', true).takeOver()).toHaveLength(1);
      await jobs.deleteMany({});
      await leftBy('stopping', 'importing', true);
      await replica('stopping').release();
      expect(await replica('other').takeOver()).toHaveLength(1);
      // Let go again by the one that took it over: taken over again.
      await replica('other').release();
      expect(await replica('third').takeOver()).toHaveLength(1);
      expect(await jobs.findOne({ _id: 'job-importing' })).toMatchObject({ heldBy: 'third' });
    });

    it('takes over an import recorded before imports were held', async () => {
      await jobs.insertOne({ _id: 'old', ownerId: 'writer', state: 'importing' });
      const taken = await replica('a').takeOver();
      expect(taken.map(({ job, recovery }) => [job._id, recovery])).toEqual([
        ['old', { action: 'fail', reason: INTERRUPTED.fileGone }],
      ]);
      expect(await jobs.findOne({ _id: 'old' })).toMatchObject({ heldBy: 'a' });
    });
  });
}
