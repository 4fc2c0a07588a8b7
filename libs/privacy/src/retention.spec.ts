import { retentionCutoff, retentionExpired, retentionPeriod } from './retention';

describe('retention of values kept for a while (IP addresses, user agents)', () => {
  it('files a value under its UTC day', () => {
    expect(retentionPeriod(new Date('2026-11-27T23:59:59.999Z'))).toBe('2026-11-27');
    expect(retentionPeriod(new Date('2026-11-28T00:30:00+02:00'))).toBe('2026-11-27');
  });

  it('keeps a value at least the given number of days and expires it on the day after', () => {
    const recorded = retentionPeriod(new Date('2026-11-01T23:59:00Z'));
    expect(retentionExpired(recorded, new Date('2026-12-01T23:59:00Z'), 30)).toBe(false);
    expect(retentionExpired(recorded, new Date('2026-12-01T23:59:59Z'), 30)).toBe(false);
    expect(retentionExpired(recorded, new Date('2026-12-02T00:00:00Z'), 30)).toBe(true);
    expect(retentionCutoff(new Date('2026-12-02T00:00:00Z'), 30)).toBe('2026-11-02');
  });

  it('refuses a period that is not a whole number of days', () => {
    expect(() => retentionCutoff(new Date(), 0)).toThrow(/whole number of days/);
    expect(() => retentionCutoff(new Date(), 1.5)).toThrow(/whole number of days/);
  });
});
