import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportState } from '@parley/contracts';
import { type DocumentCollection, MemoryDocumentStore } from '@parley/readmodel';
import { type HeldImport, ImportHolds } from './import-holds';
import { INTERRUPTED, isAbandoned, recoveryOf } from './import-recovery';

const HOLD_MS = 30_000;
const T0 = Date.parse('2026-11-28T10:00:00Z');

describe('an import left by a gateway process that is gone', () => {
  const now = new Date(T0);
  const held = (state: ImportState, heldBy: string | null, untilMs: number) => ({
    state,
    heldBy,
    heldUntil: heldBy ? new Date(untilMs).toISOString() : null,
  });

  it('is abandoned once its hold has lapsed, or at once where one process alone holds the data', () => {
    const observer = { runner: 'me', now, exclusive: false };
    expect(isAbandoned(held('importing', 'other', T0 + 5_000), observer)).toBe(false);
    expect(isAbandoned(held('importing', 'other', T0 - 1), observer)).toBe(true);
    expect(isAbandoned(held('importing', null, 0), observer)).toBe(true);
    // Recorded before imports were held: left "importing" for good, which is what this ends.
    expect(isAbandoned({ state: 'importing' }, observer)).toBe(true);
    expect(isAbandoned(held('importing', 'me', T0 - 1), observer)).toBe(false);
    expect(isAbandoned(held('done', null, 0), observer)).toBe(false);
    expect(isAbandoned(held('failed', 'other', T0 - 1), observer)).toBe(false);
    expect(
      isAbandoned(held('importing', 'other', T0 + 5_000), { ...observer, exclusive: true }),
    ).toBe(true);
  });

  it('is run again when its file is there, and fails asking for the file again when not', () => {
    expect(recoveryOf({ state: 'importing' }, true)).toEqual({ action: 'resume' });
    expect(recoveryOf({ state: 'queued' }, true)).toEqual({ action: 'resume' });
    expect(recoveryOf({ state: 'importing' }, false)).toEqual({
      action: 'fail',
      reason: INTERRUPTED.fileGone,
    });
    // Cut off while it came in: the file is not whole, whatever is there.
    expect(recoveryOf({ state: 'checking' }, true)).toEqual({
      action: 'fail',
      reason: INTERRUPTED.upload,
    });
    expect(INTERRUPTED.fileGone).toMatch(/^Interrupted.*upload the file again$/);
  });
});

describe('gateway replicas taking over an abandoned import', () => {
  let dir: string;
  let clock: Date;
  let jobs: DocumentCollection<HeldImport & { ownerId: string }>;
  const replica = (runner: string, exclusive = false) =>
    new ImportHolds(jobs, runner, { clock: () => clock, holdMs: HOLD_MS, exclusive });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-import-holds-'));
    clock = new Date(T0);
    // The replicas share one store, as they share the gateway's database.
    jobs = new MemoryDocumentStore().collection('imports');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

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
  });

  it('takes over an import recorded before imports were held', async () => {
    await jobs.insertOne({ _id: 'old', ownerId: 'writer', state: 'importing' });
    expect(await replica('a').takeOver()).toEqual([
      {
        job: expect.objectContaining({ _id: 'old' }),
        recovery: { action: 'fail', reason: INTERRUPTED.fileGone },
      },
    ]);
    expect(await jobs.findOne({ _id: 'old' })).toMatchObject({ heldBy: 'a' });
  });
});
