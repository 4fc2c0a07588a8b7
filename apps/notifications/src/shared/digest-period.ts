import { createHash } from 'node:crypto';
import type { Frequency } from '@parley/contracts';

/** The digest a notification goes into: one per subscriber and period (an hour or a UTC day). */
export function digestOf(
  subscriberId: string,
  frequency: Exclude<Frequency, 'immediate'>,
  createdAt: string,
): { digestId: string; dueAt: string } {
  const at = new Date(createdAt);
  const start =
    frequency === 'hourly'
      ? Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), at.getUTCHours())
      : Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const end = start + (frequency === 'hourly' ? 3_600_000 : 86_400_000);
  const who = createHash('sha256').update(subscriberId).digest('hex').slice(0, 20);
  const period = new Date(start).toISOString().slice(0, 13).replace(/[-T]/g, '');
  return { digestId: `dg-${frequency}-${period}-${who}`, dueAt: new Date(end).toISOString() };
}
