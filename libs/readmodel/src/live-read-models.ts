import type { DocumentStore } from './document-store.port';
import { GenerationDb, type Projection } from './projection';

/** The generation of each projection this process reads and writes right now. */
export class LiveReadModels {
  private readonly live = new Map<string, GenerationDb>();

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
}
