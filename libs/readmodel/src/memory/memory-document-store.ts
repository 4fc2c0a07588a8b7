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

type Key = string | number | boolean | null;

function isKey(value: unknown): value is Key {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  );
}

/** The values a filter on one field asks for by equality: one value or an `$in` list of them. */
function keysOf(condition: unknown): Key[] | null {
  if (isKey(condition)) return [condition];
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) return null;
  const operators = Object.keys(condition);
  const list = (condition as { $in?: unknown }).$in;
  if (operators.length !== 1 || !Array.isArray(list) || !list.every(isKey)) return null;
  return list;
}

/**
 * Equality lookups on the leading top-level field of each declared index, as MongoDB would
 * use the index: the documents whose field holds a value (arrays: each element).
 */
class EqualityIndex {
  private readonly entries = new Map<Key, Set<string>>();

  constructor(readonly field: string) {}

  private keysOf(doc: Document): Key[] {
    const value = (doc as unknown as Record<string, unknown>)[this.field];
    if (value === undefined) return [null];
    if (Array.isArray(value)) return value.filter(isKey);
    return isKey(value) ? [value] : [];
  }

  add(doc: Document): void {
    for (const key of this.keysOf(doc)) {
      let ids = this.entries.get(key);
      if (!ids) this.entries.set(key, (ids = new Set()));
      ids.add(doc._id);
    }
  }

  remove(doc: Document): void {
    for (const key of this.keysOf(doc)) {
      const ids = this.entries.get(key);
      ids?.delete(doc._id);
      if (ids?.size === 0) this.entries.delete(key);
    }
  }

  lookup(key: Key): ReadonlySet<string> {
    return this.entries.get(key) ?? new Set();
  }
}

class MemoryCollection<T extends Document> implements DocumentCollection<T> {
  private readonly docs = new Map<string, T>();
  private uniqueIndexes: IndexSpec[] = [];
  private readonly equality = new Map<string, EqualityIndex>();

  constructor(readonly name: string) {}

  setIndexes(indexes: readonly IndexSpec[]): void {
    this.uniqueIndexes = indexes.filter((i) => i.unique);
    for (const index of indexes) {
      const field = Object.keys(index.keys)[0];
      if (!field || field.includes('.') || field === '_id' || this.equality.has(field)) continue;
      const built = new EqualityIndex(field);
      for (const doc of this.docs.values()) built.add(doc);
      this.equality.set(field, built);
    }
  }

  async findOne(filter: Filter): Promise<T | null> {
    const found = this.match(filter)[0];
    return found ? clone(found) : null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    let cursor = new Query(filter).find<T>(this.candidates(filter));
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
    this.store(clone(doc));
  }

  /** Puts a document in place of the one with its id, keeping the indexes in step. */
  private store(doc: T): void {
    const previous = this.docs.get(doc._id);
    for (const index of this.equality.values()) {
      if (previous) index.remove(previous);
      index.add(doc);
    }
    this.docs.set(doc._id, doc);
  }

  private remove(doc: T): void {
    for (const index of this.equality.values()) index.remove(doc);
    this.docs.delete(doc._id);
  }

  /**
   * The documents a filter can match: by id, by an indexed field's value or `$in` list of
   * values (as MongoDB would use the index), or all of them. The filter is tested after.
   */
  private candidates(filter: Filter): T[] {
    const ids = keysOf(filter._id);
    if (ids) {
      const found: T[] = [];
      for (const id of new Set(ids)) {
        const doc = typeof id === 'string' ? this.docs.get(id) : undefined;
        if (doc) found.push(doc);
      }
      return found;
    }
    for (const [field, index] of this.equality) {
      const values = keysOf(filter[field]);
      if (!values) continue;
      const docIds = new Set<string>();
      for (const value of values) for (const docId of index.lookup(value)) docIds.add(docId);
      const found: T[] = [];
      for (const docId of docIds) {
        const doc = this.docs.get(docId);
        if (doc) found.push(doc);
      }
      return found;
    }
    return [...this.docs.values()];
  }

  async replaceOne(filter: Filter, doc: T, options: { upsert?: boolean } = {}): Promise<number> {
    const current = this.match(filter)[0];
    if (!current) {
      if (options.upsert) await this.insertOne(doc);
      return 0;
    }
    if (doc._id !== current._id) throw new Error('replaceOne may not change _id');
    this.checkUnique(doc, current._id);
    this.store(clone(doc));
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
    this.store(next);
    return 1;
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    const matches = this.match(filter);
    for (const doc of matches) {
      const next = clone(doc);
      this.apply(next, update);
      this.store(next);
    }
    return matches.length;
  }

  async deleteMany(filter: Filter): Promise<number> {
    const matches = this.match(filter);
    for (const doc of matches) this.remove(doc);
    return matches.length;
  }

  private match(filter: Filter): T[] {
    // Narrowed like an index would (by id or an indexed field), then tested against the filter.
    const candidates = this.candidates(filter);
    if (typeof filter._id === 'string' && Object.keys(filter).length === 1) return candidates;
    const query = new Query(filter);
    return candidates.filter((doc) => query.test(doc as unknown as Record<string, unknown>));
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
      const leading = values[0];
      const others =
        fields[0] !== undefined && this.equality.has(fields[0]) && isKey(leading)
          ? this.candidates({ [fields[0]]: leading })
          : this.docs.values();
      for (const other of others) {
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
