import type { ConsumerProgress } from '@parley/messaging';
import { AppliedStreams } from './applied-streams';
import type { DocumentStore } from './document-store.port';
import { GenerationDb, type Projection } from './projection';

/** The generation of each projection this process reads and writes right now. */
export class LiveReadModels {
  private readonly live = new Map<string, GenerationDb>();
  private readonly progress = new Map<string, ConsumerProgress>();
  /** What this process's projections have applied, for read-your-writes waits. */
  readonly applied = new AppliedStreams();

  constructor(readonly store: DocumentStore) {}

  /** The collections of a projection's live generation, for queries. */
  db(projection: string): GenerationDb {
    const db = this.live.get(projection);
    if (!db) throw new Error(`Projection ${projection} is not running in this process`);
    return db;
  }

  use(projection: Pick<Projection, 'name' | 'collections'>, generation: number): GenerationDb {
    const db = new GenerationDb(this.store, projection, generation);
    this.live.set(projection.name, db);
    return db;
  }

  /** The consumer that feeds a projection's live generation, for `caughtUp`. */
  feed(projection: string, progress: ConsumerProgress): void {
    this.progress.set(projection, progress);
  }

  /**
   * Waits, at most `withinMs`, until a projection has applied every event its topics held at
   * the call: true when it has. A question whose answer is "not there" asks this before
   * answering, so what another service wrote before the question is never missed.
   */
  async caughtUp(projection: string, withinMs: number): Promise<boolean> {
    return (await this.progress.get(projection)?.caughtUp(withinMs)) ?? false;
  }
}
