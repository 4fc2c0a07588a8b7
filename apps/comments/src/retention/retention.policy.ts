import { retentionCutoff } from '@parley/privacy';

const DAY_MS = 24 * 60 * 60 * 1000;

/** However far the next period's end, the job looks again within this (a clock moved, a sleep). */
export const RETENTION_CHECK_MS = 60 * 60 * 1000;

/** What one run of the retention job does at `now`, and when the next one is due. */
export interface RetentionSweep {
  /** Every period key before this UTC day is destroyed (it is the first day still kept). */
  readonly destroyPeriodsBefore: string;
  /** When the next period expires: just past the next UTC midnight, or sooner (RETENTION_CHECK_MS). */
  readonly nextRunAt: Date;
}

/**
 * The retention policy: values recorded on a UTC day are kept `retentionDays` whole days, so
 * the periods older than that expire. The same `now` always answers the same sweep, and a
 * sweep done twice (or by two replicas at once) destroys nothing more the second time.
 */
export function retentionSweep(now: Date, retentionDays: number): RetentionSweep {
  const nextMidnight = Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS;
  return {
    destroyPeriodsBefore: retentionCutoff(now, retentionDays),
    // A second past midnight, so the new day has begun on a clock a little behind.
    nextRunAt: new Date(Math.min(nextMidnight + 1000, now.getTime() + RETENTION_CHECK_MS)),
  };
}
