import { type Commit, EmbeddedEventStore } from '@parley/eventstore';
import { EmbeddedPersonKeyStore } from '@parley/privacy';

/** A service's event log and person keys, empty and in memory: a log to migrate from or into. */
export async function emptyServiceLog(source: string) {
  return {
    log: await EmbeddedEventStore.open(source),
    keys: await EmbeddedPersonKeyStore.open(),
  };
}

/** Every commit of an embedded log, in the order it holds them. */
export async function commitsOf(store: EmbeddedEventStore): Promise<Commit[]> {
  const commits: Commit[] = [];
  for await (const commit of store.allCommits()) commits.push(commit);
  return commits;
}
