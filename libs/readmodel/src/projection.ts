import type { OpenedPersonalData, PersonalField, TopicEvent, TopicKey } from '@parley/contracts';
import type { PersonKeyStore } from '@parley/privacy';
import type { Document, DocumentCollection, DocumentStore, IndexSpec } from './document-store.port';

/** The collections a projection writes, by logical name. */
export interface ProjectionDb {
  collection<T extends Document>(logical: string): DocumentCollection<T>;
}

/** A message's place in its topic. */
export interface MessagePosition {
  readonly topic: string;
  readonly partition: number;
  /** Kafka's offset, a decimal string. */
  readonly offset: string;
}

/** What a projection may use besides its collections, given by the service that runs it. */
export interface ProjectionContext {
  /** The keys of the personal data the service owns, to open the sealed values of its events. */
  readonly personKeys?: PersonKeyStore;
  /**
   * Given during a replay (a rebuild): takes the work that sets a figure from the documents as
   * they stand, by key, and runs each key's work once after the last event (see `settle`).
   */
  readonly settleLater?: (key: string, work: () => Promise<void>) => void;
  /**
   * Where the event being applied stands in its topic, when it came from one: counters moved
   * by increments (`tally`) count each message once by it.
   */
  readonly position?: MessagePosition;
  /**
   * Opens the sealed values of the events it reads through the service that keeps their keys
   * (an account's through the gateway's identity), once, when they are projected.
   */
  readonly personalData?: {
    open(
      values: readonly { readonly field: PersonalField; readonly value: string }[],
    ): Promise<OpenedPersonalData[]>;
  };
}

/**
 * A read model: the topics it reads and how one event changes its documents.
 * `apply` is idempotent (an event applied twice, or events of different streams in
 * another order, leave the same documents) and deterministic (a rebuild of the same
 * log gives the same documents), so it may be replayed at any time.
 */
export interface Projection<K extends TopicKey = TopicKey> {
  readonly name: string;
  readonly topics: readonly K[];
  readonly collections: Readonly<Record<string, readonly IndexSpec[]>>;
  apply(event: TopicEvent<K>, db: ProjectionDb, context?: ProjectionContext): Promise<void>;
}

/** Physical name of a logical collection in one generation of a projection. */
export function physicalName(logical: string, generation: number): string {
  return `${logical}_g${generation}`;
}

/** The collections of one generation of a projection. */
export class GenerationDb implements ProjectionDb {
  constructor(
    private readonly store: DocumentStore,
    private readonly projection: Pick<Projection, 'name' | 'collections'>,
    readonly generation: number,
  ) {}

  collection<T extends Document>(logical: string): DocumentCollection<T> {
    const indexes = this.projection.collections[logical];
    if (!indexes)
      throw new Error(`Projection ${this.projection.name} declares no collection ${logical}`);
    return this.store.collection<T>(physicalName(logical, this.generation), indexes);
  }

  async ensureIndexes(): Promise<void> {
    for (const [logical, indexes] of Object.entries(this.projection.collections)) {
      await this.store.ensureIndexes(physicalName(logical, this.generation), indexes);
    }
  }

  async drop(): Promise<void> {
    for (const logical of Object.keys(this.projection.collections)) {
      await this.store.dropCollection(physicalName(logical, this.generation));
    }
  }
}

interface GenerationDoc extends Document {
  generation: number;
  switchedAt: string;
}

/** Which generation of each projection is live; a rebuild moves it on. */
export class ProjectionGenerations {
  private readonly docs: DocumentCollection<GenerationDoc>;

  constructor(store: DocumentStore) {
    this.docs = store.collection<GenerationDoc>('projection_generations');
  }

  async current(projection: string): Promise<number> {
    return (await this.docs.findOne({ _id: projection }))?.generation ?? 1;
  }

  async switchTo(projection: string, generation: number, at: Date): Promise<void> {
    await this.docs.replaceOne(
      { _id: projection },
      { _id: projection, generation, switchedAt: at.toISOString() },
      { upsert: true },
    );
  }
}
