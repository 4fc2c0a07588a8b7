/** A MongoDB query document, e.g. `{ postId, status: { $in: ['approved'] } }`. */
export type Filter = Record<string, unknown>;

/** The update operators read models use; the in-memory adapter implements the same ones. */
export interface Update {
  $set?: Record<string, unknown>;
  $unset?: Record<string, '' | 1 | true>;
  $inc?: Record<string, number>;
  $max?: Record<string, unknown>;
  $min?: Record<string, unknown>;
  $addToSet?: Record<string, unknown>;
  $pull?: Record<string, unknown>;
}

export interface FindOptions {
  sort?: Record<string, 1 | -1>;
  skip?: number;
  limit?: number;
}

export interface IndexSpec {
  keys: Record<string, 1 | -1>;
  unique?: boolean;
}

export interface Document {
  _id: string;
}

export class DuplicateKeyError extends Error {
  constructor(collection: string, detail: string) {
    super(`Duplicate key in ${collection}: ${detail}`);
    this.name = 'DuplicateKeyError';
  }
}

/** One read-model collection. */
export interface DocumentCollection<T extends Document> {
  readonly name: string;
  findOne(filter: Filter): Promise<T | null>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  /** Only the named top-level fields (and `_id`) of each document: less to read and send. */
  find<K extends keyof T & string>(
    filter: Filter,
    options: FindOptions & { fields: readonly K[] },
  ): Promise<Pick<T, K | '_id'>[]>;
  count(filter: Filter): Promise<number>;
  /** Rejects with DuplicateKeyError when the id (or a unique index) is taken. */
  insertOne(doc: T): Promise<void>;
  /** Replaces the one document matching the filter; returns how many matched (0 or 1). */
  replaceOne(filter: Filter, doc: T, options?: { upsert?: boolean }): Promise<number>;
  updateOne(filter: Filter, update: Update, options?: { upsert?: boolean }): Promise<number>;
  updateMany(filter: Filter, update: Update): Promise<number>;
  deleteMany(filter: Filter): Promise<number>;
}

export interface CollectionOptions {
  /**
   * Records a process keeps, not a view rebuilt from events (an upload's import job): they
   * survive a restart in embedded mode too, where the other collections start empty.
   */
  durable?: boolean;
}

/** Where read models live: MongoDB in a deployment, memory in embedded mode. */
export interface DocumentStore {
  /** True when documents do not survive the process, so projections rebuild at every start. */
  readonly volatile: boolean;
  collection<T extends Document>(
    name: string,
    indexes?: readonly IndexSpec[],
    options?: CollectionOptions,
  ): DocumentCollection<T>;
  /** Creates the declared indexes of a collection (idempotent). */
  ensureIndexes(name: string, indexes: readonly IndexSpec[]): Promise<void>;
  dropCollection(name: string): Promise<void>;
  listCollections(): Promise<string[]>;
}
