import { type Commit, EmbeddedEventStore } from '@parley/eventstore';
import { migrateServiceLog, type Resealers } from '@parley/platform';
import { EmbeddedPersonKeyStore } from '@parley/privacy';

/** A service's event log and person keys, empty and in memory: a log to migrate from or into. */
export async function emptyServiceLog(source: string) {
  return {
    log: await EmbeddedEventStore.open(source),
    keys: await EmbeddedPersonKeyStore.open(),
  };
}

/** A service's event log and person keys in memory, as emptyServiceLog makes them. */
export type EmbeddedServiceLog = Awaited<ReturnType<typeof emptyServiceLog>>;

/**
 * Migrates a service's log into a new empty one of the same source, as the log migration does:
 * the new log, the summary of the run, and `again` to run the same migration once more.
 */
export async function migrateToEmptyLog(
  service: string,
  resealers: Resealers,
  from: EmbeddedServiceLog,
) {
  const to = await emptyServiceLog(from.log.source);
  const again = () => migrateServiceLog({ service, resealers, from, to });
  return { to, summary: await again(), again };
}

/** Every commit of an embedded log, in the order it holds them. */
export async function commitsOf(store: EmbeddedEventStore): Promise<Commit[]> {
  const commits: Commit[] = [];
  for await (const commit of store.allCommits()) commits.push(commit);
  return commits;
}
