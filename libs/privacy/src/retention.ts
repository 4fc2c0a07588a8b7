const DAY_MS = 24 * 60 * 60 * 1000;

/** The retention period a value recorded at `at` belongs to: its UTC day. */
export function retentionPeriod(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * The first period still kept when values are kept `days` days: every period before it has
 * expired. A value is kept at least `days` days and at most one day more.
 */
export function retentionCutoff(now: Date, days: number): string {
  if (!Number.isInteger(days) || days < 1)
    throw new Error('A retention period is a whole number of days, at least 1');
  return retentionPeriod(new Date(now.getTime() - days * DAY_MS));
}

/** Whether a value of the given period has expired at `now` (the retention job destroys its key). */
export function retentionExpired(period: string, now: Date, days: number): boolean {
  return period < retentionCutoff(now, days);
}
