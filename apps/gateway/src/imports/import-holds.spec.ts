import type { ImportState } from '@parley/contracts';
import { MemoryDocumentStore } from '@parley/readmodel';
import { importTakeOverScenario } from './import-holds.scenario';
import { INTERRUPTED, isAbandoned, recoveryOf } from './import-recovery';

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

importTakeOverScenario('memory', async () => ({
  store: new MemoryDocumentStore(),
  close: async () => undefined,
}));
