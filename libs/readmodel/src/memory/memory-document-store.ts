import { Query } from 'mingo';
import { update as applyUpdate } from 'mingo/updater';
import {
  type Document,
  type DocumentCollection,
  type DocumentStore,
  DuplicateKeyError,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Update,
} from '../document-store.port';

function clone<T>(value: T): T {
  return structuredClone(value);
}

class MemoryCollection<T extends Document> implements DocumentCollection<T> {
  private readonly docs = new Map<string, T>();
  private uniqueIndexes: IndexSpec[] = [];

  constructor(readonly name: string) {}

  setIndexes(indexes: readonly IndexSpec[]): void {
    this.uniqueIndexes = indexes.filter((i) => i.unique);
  }

  async findOne(filter: Filter): Promise<T | null> {
    const found = this.match(filter)[0];
    return found ? clone(found) : null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    let cursor = new Query(filter).find<T>([...this.docs.values()]);
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit) cursor = cursor.limit(options.limit);
    return cursor.all().map(clone);
  }

  async count(filter: Filter): Promise<number> {
    return this.match(filter).length;
  }

  async insertOne(doc: T): Promise<void> {
    if (this.docs.has(doc._id)) throw new DuplicateKeyError(this.name, `_id ${doc._id}`);
    this.checkUnique(doc);
    this.docs.set(doc._id, clone(doc));
  }

  async replaceOne(filter: Filter, doc: T, options: { upsert?: boolean } = {}): Promise<number> {
    const current = this.match(filter)[0];
    if (!current) {
      if (options.upsert) await this.insertOne(doc);
      return 0;
    }
    if (doc._id !== current._id) throw new Error('replaceOne may not change _id');
    this.checkUnique(doc, current._id);
    this.docs.set(doc._id, clone(doc));
    return 1;
  }

  async updateOne(
    filter: Filter,
    update: Update,
    options: { upsert?: boolean } = {},
  ): Promise<number> {
    const current = this.match(filter)[0];
    if (!current) {
      if (!options.upsert) return 0;
      const seed = Object.fromEntries(
        Object.entries(filter).filter(
          ([key, value]) => !key.startsWith('$') && (typeof value !== 'object' || value === null),
        ),
      ) as unknown as T;
      this.apply(seed, update);
      if (typeof seed._id !== 'string') throw new Error('an upsert needs an _id in its filter');
      await this.insertOne(seed);
      return 0;
    }
    const next = clone(current);
    this.apply(next, update);
    this.checkUnique(next, current._id);
    this.docs.set(next._id, next);
    return 1;
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    const matches = this.match(filter);
    for (const doc of matches) {
      const next = clone(doc);
      this.apply(next, update);
      this.docs.set(next._id, next);
    }
    return matches.length;
  }

  async deleteMany(filter: Filter): Promise<number> {
    const matches = this.match(filter);
    for (const doc of matches) this.docs.delete(doc._id);
    return matches.length;
  }

  private match(filter: Filter): T[] {
    const id = filter._id;
    if (typeof id === 'string') {
      // Looked up by id first, like an index would, then tested against the rest of the filter.
      const doc = this.docs.get(id);
      if (!doc) return [];
      if (Object.keys(filter).length === 1) return [doc];
      return new Query(filter).test(doc as unknown as Record<string, unknown>) ? [doc] : [];
    }
    const query = new Query(filter);
    return [...this.docs.values()].filter((doc) =>
      query.test(doc as unknown as Record<string, unknown>),
    );
  }

  private apply(doc: T, update: Update): void {
    applyUpdate(
      doc as unknown as Record<string, unknown>,
      update as Parameters<typeof applyUpdate>[1],
    );
  }

  private checkUnique(doc: T, ignoreId?: string): void {
    for (const index of this.uniqueIndexes) {
      const fields = Object.keys(index.keys);
      const values = fields.map((f) => (doc as Record<string, unknown>)[f]);
      for (const other of this.docs.values()) {
        if (other._id === ignoreId || other._id === doc._id) continue;
        if (fields.every((f, i) => (other as Record<string, unknown>)[f] === values[i])) {
          throw new DuplicateKeyError(this.name, fields.join(', '));
        }
      }
    }
  }
}

/** Read models in memory, with MongoDB's query and update semantics (via mingo). */
export class MemoryDocumentStore implements DocumentStore {
  readonly volatile = true;
  private readonly collections = new Map<string, MemoryCollection<Document>>();

  collection<T extends Document>(
    name: string,
    indexes: readonly IndexSpec[] = [],
  ): DocumentCollection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new MemoryCollection<Document>(name);
      this.collections.set(name, collection);
    }
    if (indexes.length > 0) collection.setIndexes(indexes);
    return collection as unknown as DocumentCollection<T>;
  }

  async ensureIndexes(name: string, indexes: readonly IndexSpec[]): Promise<void> {
    this.collection(name, indexes);
  }

  async dropCollection(name: string): Promise<void> {
    this.collections.delete(name);
  }

  async listCollections(): Promise<string[]> {
    return [...this.collections.keys()];
  }
}
