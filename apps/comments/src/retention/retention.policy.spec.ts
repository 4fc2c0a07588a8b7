import { retentionPeriod } from '@parley/privacy';
import { RETENTION_CHECK_MS, retentionSweep } from './retention.policy';

const at = (iso: string) => new Date(iso);
/** The periods a sweep at `now` destroys, of the ones given. */
const expiredOf = (periods: string[], now: Date, days: number) =>
  periods.filter((period) => period < retentionSweep(now, days).destroyPeriodsBefore);

describe('the retention policy of IP addresses and user agents', () => {
  it('keeps the last 30 days by default and destroys every day before them', () => {
    const now = at('2026-11-27T10:00:00Z');
    expect(retentionSweep(now, 30).destroyPeriodsBefore).toBe('2026-10-28');
    expect(expiredOf(['2026-10-01', '2026-10-27', '2026-10-28', '2026-11-27'], now, 30)).toEqual([
      '2026-10-01',
      '2026-10-27',
    ]);
  });

  it('expires a day once it is whole days old, not a moment before', () => {
    const recorded = retentionPeriod(at('2026-11-20T23:59:00Z'));
    expect(expiredOf([recorded], at('2026-11-21T23:59:59.999Z'), 1)).toEqual([]);
    expect(expiredOf([recorded], at('2026-11-22T00:00:00Z'), 1)).toEqual([recorded]);
    // Today's values, which the service is sealing now, are never expired.
    expect(
      expiredOf([retentionPeriod(at('2026-11-22T00:00:00Z'))], at('2026-11-22T00:00:00Z'), 1),
    ).toEqual([]);
  });

  it('answers the same sweep for the same moment, so replicas running it together agree', () => {
    const now = at('2026-11-27T10:00:00Z');
    expect(retentionSweep(now, 7)).toEqual(retentionSweep(new Date(now), 7));
  });

  it('runs again just after the next UTC midnight, or within the hour whatever happens', () => {
    expect(retentionSweep(at('2026-11-27T23:30:00Z'), 30).nextRunAt).toEqual(
      at('2026-11-28T00:00:01Z'),
    );
    const morning = at('2026-11-27T06:00:00Z');
    expect(retentionSweep(morning, 30).nextRunAt).toEqual(
      new Date(morning.getTime() + RETENTION_CHECK_MS),
    );
  });

  it('refuses a retention that is not a whole number of days', () => {
    expect(() => retentionSweep(at('2026-11-27T10:00:00Z'), 0)).toThrow(/whole number of days/);
  });
});
