import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SnapshotFile } from '@parley/files';
import { Query } from 'mingo';
import { update as applyUpdate } from 'mingo/updater';
import {
  type CollectionOptions,
  type Document,
  type DocumentCollection,
  type DocumentStore,
  DuplicateKeyError,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Update,
} from '../document-store.port';

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A deep copy: plain objects, arrays and dates by hand (several times faster than structuredClone on small documents). */
function clone<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(clone) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (!isPlainObject(value)) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = clone(value[key]);
  return copy as T;
}

/** A shallow copy of a plain object or array; anything else deeply. */
function copyOf(value: object): object {
  if (Array.isArray(value)) return [...(value as unknown[])];
  return isPlainObject(value) ? { ...value } : clone(value);
}

/**
 * The document as an update may change it, sharing with the stored one what the update does
 * not touch: each object along an updated path is copied, so the stored version stays as it
 * was (the indexes still know it) and a large document costs no more than the fields it
 * changes. Null for paths this cannot follow (positional operators): copy all of it.
 */
function copiedAlong<T extends Document>(doc: T, update: Update): T | null {
  const top = { ...doc } as Record<string, unknown>;
  for (const fields of Object.values(update) as (Record<string, unknown> | undefined)[]) {
    for (const path of Object.keys(fields ?? {})) {
      const segments = path.split('.');
      if (segments.some((segment) => segment.startsWith('$'))) return null;
      let current = top;
      for (const segment of segments) {
        const next = current[segment];
        if (typeof next !== 'object' || next === null) break;
        const copy = copyOf(next) as Record<string, unknown>;
        current[segment] = copy;
        current = copy;
      }
    }
  }
  return top as T;
}

type Key = string | number | boolean | null;

function isKey(value: unknown): value is Key {
  return (
    value === null ||
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
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

/** Every combination of one value per field, as one lookup key each (at most `cap`, else null). */
function combinations(perField: readonly (readonly Key[])[], cap = Infinity): string[] | null {
  let tuples: Key[][] = [[]];
  for (const values of perField) {
    const next: Key[][] = [];
    for (const tuple of tuples) for (const value of new Set(values)) next.push([...tuple, value]);
    if (next.length > cap) return null;
    tuples = next;
  }
  return tuples.map((tuple) => JSON.stringify(tuple));
}

/**
 * Equality lookups on a prefix of a declared index's top-level fields, as MongoDB would use
 * the index: the documents whose fields hold a combination of values (arrays: each element).
 */
class EqualityIndex {
  /** The ids of the documents under each key, in id order. */
  private readonly entries = new Map<string, string[]>();

  constructor(readonly fields: readonly string[]) {}

  private keysOf(doc: Document): string[] {
    // Most documents hold one value in each field: one key, without combining.
    const values: Key[] = [];
    for (const field of this.fields) {
      const value = (doc as unknown as Record<string, unknown>)[field];
      if (value === undefined) values.push(null);
      else if (isKey(value)) values.push(value);
      else return this.combinedKeysOf(doc);
    }
    return [JSON.stringify(values)];
  }

  private combinedKeysOf(doc: Document): string[] {
    return combinations(
      this.fields.map((field) => {
        const value = (doc as unknown as Record<string, unknown>)[field];
        if (value === undefined) return [null];
        if (Array.isArray(value)) return value.filter(isKey);
        return isKey(value) ? [value] : [];
      }),
    )!;
  }

  add(doc: Document): void {
    for (const key of this.keysOf(doc)) {
      let ids = this.entries.get(key);
      if (!ids) this.entries.set(key, (ids = []));
      // Ids mostly grow with time: a new one goes last without a search.
      const last = ids.at(-1);
      if (last === undefined || last < doc._id) ids.push(doc._id);
      else {
        const at = sortedIndex(ids, doc._id);
        if (ids[at] !== doc._id) ids.splice(at, 0, doc._id);
      }
    }
  }

  remove(doc: Document): void {
    for (const key of this.keysOf(doc)) {
      const ids = this.entries.get(key);
      if (!ids) continue;
      const at = sortedIndex(ids, doc._id);
      if (ids[at] === doc._id) ids.splice(at, 1);
      if (ids.length === 0) this.entries.delete(key);
    }
  }

  /** The ids under a key, in id order. */
  lookup(key: string): readonly string[] {
    return this.entries.get(key) ?? [];
  }
}

/** Where `id` is or would go in ids sorted in id order. */
function sortedIndex(ids: readonly string[], id: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (ids[mid]! < id) low = mid + 1;
    else high = mid;
  }
  return low;
}

type Test = (doc: Record<string, unknown>) => boolean | undefined;

function scalarOrder(value: unknown, operand: unknown): number | undefined {
  if (typeof value === 'number' && typeof operand === 'number') return value - operand;
  if (typeof value === 'string' && typeof operand === 'string')
    return value < operand ? -1 : value > operand ? 1 : 0;
  return undefined;
}

/** One condition on a field holding a scalar or nothing; undefined where only mingo can tell. */
function conditionTest(condition: unknown): ((value: unknown) => boolean | undefined) | null {
  if (isKey(condition)) return (value) => (value ?? null) === condition;
  if (typeof condition !== 'object' || condition === null || !isPlainObject(condition)) return null;
  const tests: ((value: unknown) => boolean | undefined)[] = [];
  for (const [operator, operand] of Object.entries(condition)) {
    const ordered = (accept: (order: number) => boolean) => (value: unknown) => {
      if (value === undefined) return false;
      const order = scalarOrder(value, operand);
      return order === undefined ? undefined : accept(order);
    };
    if (operator === '$lt') tests.push(ordered((o) => o < 0));
    else if (operator === '$lte') tests.push(ordered((o) => o <= 0));
    else if (operator === '$gt') tests.push(ordered((o) => o > 0));
    else if (operator === '$gte') tests.push(ordered((o) => o >= 0));
    else if (operator === '$ne' && isKey(operand))
      tests.push((value) => (value ?? null) !== operand);
    else if (operator === '$in' && Array.isArray(operand) && operand.every(isKey)) {
      const list: Key[] = operand;
      tests.push((value) => list.includes((value ?? null) as Key));
    } else if (operator === '$exists' && typeof operand === 'boolean')
      tests.push((value) => (value !== undefined) === operand);
    else if (operator === '$not' && !isKey(operand)) {
      // What the operators do not match, a missing field too.
      const negated = conditionTest(operand);
      if (!negated) return null;
      tests.push((value) => {
        const result = negated(value);
        return result === undefined ? undefined : !result;
      });
    } else return null;
  }
  return (value) => {
    for (const test of tests) {
      const result = test(value);
      if (result !== true) return result;
    }
    return true;
  };
}

/** Whether a condition asks for values by equality only (a value or an `$in` list of them). */
function byEquality(condition: unknown): boolean {
  return keysOf(condition) !== null;
}

/** Where a dotted path goes through something other than a plain object: only mingo can tell. */
const UNSURE = Symbol('unsure');

/** The value at a field's path (`streams.comment-1` names a field of a nested object). */
function valueAt(doc: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = doc;
  for (const key of path) {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value) || !isPlainObject(value)) return UNSURE;
    value = value[key];
  }
  return value;
}

/**
 * A filter of equalities and comparisons on fields (nested ones through plain objects), and
 * `$or` of such filters, tested without mingo (whose compiling of each query costs more than
 * the test): null when the filter has other operators, and per document undefined when a
 * field holds an object, or an array the condition does not ask of by equality (an array
 * matches when one of its values does).
 */
function quickTest(filter: Filter): Test | null {
  const fields: [string[], (value: unknown) => boolean | undefined, boolean][] = [];
  const alternatives: Test[] = [];
  for (const [field, condition] of Object.entries(filter)) {
    if (field === '$or' && Array.isArray(condition) && condition.length > 0) {
      const branches = (condition as unknown[]).map((branch) =>
        typeof branch === 'object' && branch !== null && isPlainObject(branch)
          ? quickTest(branch as Filter)
          : null,
      );
      if (branches.some((branch) => branch === null)) return null;
      alternatives.push(anyOf(branches as Test[]));
      continue;
    }
    if (field.startsWith('$')) return null;
    const test = conditionTest(condition);
    if (!test) return null;
    fields.push([field.split('.'), test, byEquality(condition)]);
  }
  return (doc) => {
    for (const [path, test, onElements] of fields) {
      const value = path.length === 1 ? doc[path[0]!] : valueAt(doc, path);
      if (value === UNSURE) return undefined;
      let result: boolean | undefined;
      if (Array.isArray(value))
        result = onElements && value.every(isKey) ? value.some((v) => test(v) === true) : undefined;
      else if (typeof value === 'object' && value !== null) return undefined;
      else result = test(value);
      if (result !== true) return result;
    }
    for (const alternative of alternatives) {
      const result = alternative(doc);
      if (result !== true) return result;
    }
    return true;
  };
}

/** True when one test is, false when all are false, undefined when only mingo can tell. */
function anyOf(tests: readonly Test[]): Test {
  return (doc) => {
    let unknown = false;
    for (const test of tests) {
      const result = test(doc);
      if (result === true) return true;
      if (result === undefined) unknown = true;
    }
    return unknown ? undefined : false;
  };
}

/** A matcher of one filter: the quick test where it tells, mingo (compiled once) otherwise. */
function matcher(filter: Filter): (doc: Document) => boolean {
  const quick = quickTest(filter);
  let query: Query | undefined;
  const slow = (doc: Record<string, unknown>) => (query ??= new Query(filter)).test(doc);
  return (doc) => {
    const record = doc as unknown as Record<string, unknown>;
    return (quick ? quick(record) : undefined) ?? slow(record);
  };
}

const SIMPLE_UPDATES = new Set(['$set', '$unset', '$inc', '$max', '$min']);

/**
 * Applies $set, $unset, $inc, $max and $min on paths through plain objects, with scalar
 * operands where they compare, the way MongoDB does; false, having changed nothing, for any
 * other update, which mingo then applies.
 */
function applySimple(doc: Record<string, unknown>, update: Update): boolean {
  const steps: [string, string[], unknown][] = [];
  const paths: string[] = [];
  for (const [operator, fields] of Object.entries(update) as [string, Record<string, unknown>][]) {
    if (!SIMPLE_UPDATES.has(operator)) return false;
    for (const [path, operand] of Object.entries(fields)) {
      const segments = path.split('.');
      if (segments.some((s) => s === '' || s.startsWith('$') || /^\d+$/.test(s))) return false;
      let current: unknown = doc;
      for (const segment of segments.slice(0, -1)) {
        current = (current as Record<string, unknown> | undefined)?.[segment];
        if (
          current !== undefined &&
          (typeof current !== 'object' || current === null || !isPlainObject(current))
        )
          return false;
      }
      const value = (current as Record<string, unknown> | undefined)?.[segments.at(-1)!];
      if (
        operator === '$inc' &&
        (typeof operand !== 'number' || (value !== undefined && typeof value !== 'number'))
      )
        return false;
      if (
        (operator === '$max' || operator === '$min') &&
        value !== undefined &&
        scalarOrder(value, operand) === undefined
      )
        return false;
      if ((operator === '$max' || operator === '$min') && !isKey(operand)) return false;
      steps.push([operator, segments, operand]);
      paths.push(path);
    }
  }
  // Overlapping paths (MongoDB refuses them) are left to mingo.
  const sorted = [...paths].sort();
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i] === sorted[i - 1] || sorted[i]!.startsWith(`${sorted[i - 1]}.`)) return false;
  for (const [operator, segments, operand] of steps) {
    let parent = doc;
    for (const segment of segments.slice(0, -1)) {
      if (parent[segment] === undefined) {
        if (operator === '$unset') break;
        parent[segment] = {};
      }
      parent = parent[segment] as Record<string, unknown>;
    }
    const field = segments.at(-1)!;
    const value = parent[field];
    if (operator === '$set') parent[field] = clone(operand);
    else if (operator === '$unset') delete parent[field];
    else if (operator === '$inc')
      parent[field] = ((value as number | undefined) ?? 0) + (operand as number);
    else if (operator === '$max') {
      if (value === undefined || scalarOrder(value, operand)! < 0) parent[field] = operand;
    } else if (value === undefined || scalarOrder(value, operand)! > 0) parent[field] = operand;
  }
  return true;
}

/** The documents a filter can match and whether each of them does (the index answered it all). */
interface Candidates<T> {
  docs: Iterable<T>;
  exact: boolean;
  /** The ids of `docs` in id order, when an index gave them: counted and ordered without the documents. */
  ids?: readonly string[];
  /** No index served the filter: every document of the collection. */
  scan?: boolean;
}

/** More lookups than this in one `$in` combination and the index is not worth it. */
const MAX_LOOKUPS = 256;

/** The first `count` documents in id order (`direction` -1: the last), without sorting them all. */
function firstById<T extends Document>(
  docs: Iterable<T>,
  direction: 1 | -1,
  count: number | undefined,
): T[] {
  return firstBy(docs, (a, b) => direction * (a._id < b._id ? -1 : a._id > b._id ? 1 : 0), count);
}

/**
 * The order of a sort on top-level fields that ends with `_id` (so no two documents tie), when
 * each of its fields holds strings in every document, or numbers in every one: the order
 * MongoDB gives them. Null when mingo must tell (missing values, mixed types, nested fields).
 */
function plainOrder<T extends Document>(
  docs: readonly T[],
  sort: Readonly<Record<string, 1 | -1>>,
): ((a: T, b: T) => number) | null {
  const keys = Object.entries(sort);
  if (keys.at(-1)?.[0] !== '_id' || keys.some(([key]) => key.includes('.'))) return null;
  for (const [key] of keys) {
    const kind = typeof (docs[0] as Record<string, unknown> | undefined)?.[key];
    if (kind !== 'string' && kind !== 'number') return null;
    if (docs.some((doc) => typeof (doc as Record<string, unknown>)[key] !== kind)) return null;
  }
  return (a, b) => {
    for (const [key, direction] of keys) {
      const x = (a as Record<string, unknown>)[key] as string | number;
      const y = (b as Record<string, unknown>)[key] as string | number;
      if (x !== y) return direction * (x < y ? -1 : 1);
    }
    return 0;
  };
}

/** The first `count` documents in `order` (all of them, sorted, without a count), without sorting them all. */
function firstBy<T>(
  docs: Iterable<T>,
  order: (a: T, b: T) => number,
  count: number | undefined,
): T[] {
  if (count === undefined) return [...docs].sort(order);
  const best: T[] = [];
  for (const doc of docs) {
    if (best.length === count && order(doc, best[count - 1]!) >= 0) continue;
    let low = 0;
    let high = best.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (order(best[mid]!, doc) <= 0) low = mid + 1;
      else high = mid;
    }
    best.splice(low, 0, doc);
    if (best.length > count) best.pop();
  }
  return best;
}

/** The items last to first. */
function* backwards<X>(items: readonly X[]): Generator<X> {
  for (let i = items.length - 1; i >= 0; i--) yield items[i]!;
}

class MemoryCollection<T extends Document> implements DocumentCollection<T> {
  private readonly held = new Map<string, T>();
  /** Documents restored and not taken yet: all of them on first use, or a slice at a time before. */
  private restored: Iterator<T> | undefined;
  private uniqueIndexes: IndexSpec[] = [];
  /** The leading top-level fields of each declared index, and each shorter prefix of them, longest first. */
  private prefixes: string[][] = [];
  /** Built on first use, then kept in step with every write. */
  private readonly equality = new Map<string, EqualityIndex>();
  /** The top-level fields that any declared index names. */
  private readonly indexed = new Set<string>(['_id']);

  constructor(readonly name: string) {}

  /** The documents by id, every restored one taken. */
  private get docs(): Map<string, T> {
    if (this.restored) this.takeRestored(Infinity);
    return this.held;
  }

  /** Documents to take as they are, on first use or by `takeRestored`, after those held. */
  restore(docs: Iterator<T>): void {
    if (this.restored) this.takeRestored(Infinity);
    this.restored = docs;
  }

  /** Takes up to `max` of the restored documents; whether some remain. */
  takeRestored(max: number): boolean {
    const restored = this.restored;
    if (!restored) return false;
    for (let taken = 0; taken < max; taken++) {
      const next = restored.next();
      if (next.done) {
        this.restored = undefined;
        return false;
      }
      // No index is built while documents remain to be taken (building one takes them all).
      this.held.set(next.value._id, next.value);
    }
    return true;
  }

  /** Projections pass the same declaration with every use of a collection: nothing new to learn. */
  private declared: readonly IndexSpec[] | undefined;

  setIndexes(indexes: readonly IndexSpec[]): void {
    if (indexes === this.declared) return;
    this.declared = indexes;
    this.uniqueIndexes = indexes.filter((i) => i.unique);
    const known = new Map(this.prefixes.map((fields) => [fields.join('\u0000'), fields]));
    for (const index of indexes) {
      for (const field of Object.keys(index.keys)) this.indexed.add(field.split('.')[0]!);
      const fields: string[] = [];
      for (const field of Object.keys(index.keys)) {
        if (field.includes('.') || field === '_id') break;
        fields.push(field);
        known.set(fields.join('\u0000'), [...fields]);
      }
    }
    this.prefixes = [...known.values()].sort((a, b) => b.length - a.length);
  }

  private index(fields: readonly string[]): EqualityIndex {
    const name = fields.join('\u0000');
    let index = this.equality.get(name);
    if (!index) {
      index = new EqualityIndex(fields);
      for (const doc of this.docs.values()) index.add(doc);
      this.equality.set(name, index);
    }
    return index;
  }

  async findOne(filter: Filter): Promise<T | null> {
    const found = this.first(filter);
    return found ? clone(found) : null;
  }

  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  find<K extends keyof T & string>(
    filter: Filter,
    options: FindOptions & { fields: readonly K[] },
  ): Promise<Pick<T, K | '_id'>[]>;
  async find(
    filter: Filter,
    options: FindOptions & { fields?: readonly string[] } = {},
  ): Promise<T[]> {
    const { docs: candidates, exact, ids } = this.candidates(filter);
    const docs = exact ? candidates : this.tested(candidates, filter);
    const skip = options.skip ?? 0;
    const sortKeys = options.sort ? Object.keys(options.sort) : [];
    const byId = sortKeys.length === 1 && sortKeys[0] === '_id' ? options.sort!._id! : undefined;
    const upTo = options.limit ? skip + options.limit : undefined;
    let sorted: T[];
    if (sortKeys.length === 0) sorted = [...docs].slice(skip);
    else if (byId && ids) {
      // An index gave the candidates in id order: the first (or last) few that match, unsorted.
      const inOrder = this.resolve(byId === 1 ? ids : backwards(ids));
      sorted = [];
      for (const doc of exact ? inOrder : this.tested(inOrder, filter)) {
        if (upTo !== undefined && sorted.length === upTo) break;
        sorted.push(doc);
      }
      sorted = sorted.slice(skip);
    } else if (byId) sorted = firstById(docs, byId, upTo).slice(skip);
    else {
      const listed = [...docs];
      // Strings or numbers in every document, ending with the id: the few first, as MongoDB orders them.
      const order = plainOrder(listed, options.sort!);
      if (order) sorted = firstBy(listed, order, upTo).slice(skip);
      else {
        let cursor = new Query({}).find<T>(listed).sort(options.sort!);
        if (skip) cursor = cursor.skip(skip);
        sorted = cursor.all();
      }
    }
    const found = options.limit ? sorted.slice(0, options.limit) : sorted;
    const { fields } = options;
    if (!fields) return found.map(clone);
    return found.map((doc) => {
      const picked: Record<string, unknown> = { _id: doc._id };
      for (const field of fields)
        if (field in doc) picked[field] = clone((doc as Record<string, unknown>)[field]);
      return picked as T;
    });
  }

  async count(filter: Filter): Promise<number> {
    const { exact, ids } = this.candidates(filter);
    // An index that serves every condition counts without the documents.
    if (exact && ids) return ids.length;
    return this.match(filter).length;
  }

  /** Documents read back from a durable collection's file, as they were saved. */
  seed(docs: readonly T[]): void {
    for (const doc of docs) this.store(doc);
  }

  all(): T[] {
    return [...this.docs.values()];
  }

  async insertOne(doc: T): Promise<void> {
    if (this.docs.has(doc._id)) throw new DuplicateKeyError(this.name, `_id ${doc._id}`);
    this.checkUnique(doc);
    this.store(clone(doc));
  }

  /**
   * Puts a document in place of the one with its id, keeping the indexes in step (`keysKept`:
   * no indexed field changed, so the indexes hold it already).
   */
  private store(doc: T, keysKept = false): void {
    const previous = this.docs.get(doc._id);
    if (!(previous && keysKept))
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
   * The documents a filter can match: by id, by the values of the longest declared index
   * prefix the filter asks for by equality (as MongoDB would use the index), or all of them.
   * When the index covers every condition of the filter, they all match and need no test.
   */
  private candidates(filter: Filter): Candidates<T> {
    const conditions = Object.keys(filter);
    const ids = keysOf(filter._id);
    if (ids) {
      const docs: T[] = [];
      for (const id of new Set(ids)) {
        const doc = typeof id === 'string' ? this.docs.get(id) : undefined;
        if (doc) docs.push(doc);
      }
      return { docs, exact: conditions.length === 1 };
    }
    for (const fields of this.prefixes) {
      const values: Key[][] = [];
      for (const field of fields) {
        const asked = keysOf(filter[field]);
        if (!asked) break;
        values.push(asked);
      }
      if (values.length < fields.length) continue;
      const keys = combinations(values, MAX_LOOKUPS);
      if (!keys) continue;
      const index = this.index(fields);
      const docIds =
        keys.length === 1
          ? index.lookup(keys[0]!)
          : [...new Set(keys.flatMap((key) => index.lookup(key)))].sort();
      return {
        docs: this.resolve(docIds),
        ids: docIds,
        exact: conditions.length === fields.length,
      };
    }
    // Each branch of an $or through its own index, as MongoDB plans it, when every branch has one.
    const branches = filter.$or;
    if (Array.isArray(branches) && branches.length > 0) {
      const union = new Map<string, T>();
      let served = true;
      for (const branch of branches as Filter[]) {
        const found = this.candidates(branch);
        if (found.scan) {
          served = false;
          break;
        }
        for (const doc of found.docs) union.set(doc._id, doc);
      }
      if (served) return { docs: union.values(), exact: false };
    }
    return { docs: this.docs.values(), exact: conditions.length === 0, scan: true };
  }

  private *resolve(ids: Iterable<string>): Generator<T> {
    for (const id of ids) {
      const doc = this.docs.get(id);
      if (doc) yield doc;
    }
  }

  /** The candidates the filter matches. */
  private *tested(docs: Iterable<T>, filter: Filter): Generator<T> {
    const matches = matcher(filter);
    for (const doc of docs) if (matches(doc)) yield doc;
  }

  async replaceOne(filter: Filter, doc: T, options: { upsert?: boolean } = {}): Promise<number> {
    const current = this.first(filter);
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
    const current = this.first(filter);
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
    const { next, keysKept } = this.updated(current, update);
    if (!keysKept) this.checkUnique(next, current._id);
    this.store(next, keysKept);
    return 1;
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    const matches = this.match(filter);
    for (const doc of matches) {
      const { next, keysKept } = this.updated(doc, update);
      this.store(next, keysKept);
    }
    return matches.length;
  }

  async deleteMany(filter: Filter): Promise<number> {
    const matches = this.match(filter);
    for (const doc of matches) this.remove(doc);
    return matches.length;
  }

  /** Every document the filter matches, narrowed like an index would, then tested if need be. */
  private match(filter: Filter): T[] {
    const { docs, exact } = this.candidates(filter);
    return [...(exact ? docs : this.tested(docs, filter))];
  }

  /** The first document the filter matches, testing no further than it. */
  private first(filter: Filter): T | undefined {
    const { docs, exact } = this.candidates(filter);
    for (const doc of exact ? docs : this.tested(docs, filter)) return doc;
    return undefined;
  }

  /**
   * The stored document with the update applied, as a new document. An update of fields no
   * index names, which `applySimple` checks whole before it changes anything, changes the
   * objects under them where they are: no index or unique check looks into them, and no one
   * else holds them (a document is stored as a copy and read as one), so a map with an entry
   * per comment costs nothing to update. Any other update copies what it changes (copiedAlong).
   */
  private updated(current: T, update: Update): { next: T; keysKept: boolean } {
    const fields = Object.values(update) as (Record<string, unknown> | undefined)[];
    const keysKept = fields.every((f) =>
      Object.keys(f ?? {}).every((path) => !this.indexed.has(path.split('.')[0]!)),
    );
    if (keysKept) {
      const next = { ...current };
      if (applySimple(next as unknown as Record<string, unknown>, update))
        return { next, keysKept };
    }
    const next = copiedAlong(current, update) ?? clone(current);
    this.apply(next, update);
    return { next, keysKept };
  }

  private apply(doc: T, update: Update): void {
    if (applySimple(doc as unknown as Record<string, unknown>, update)) return;
    applyUpdate(
      doc as unknown as Record<string, unknown>,
      update as Parameters<typeof applyUpdate>[1],
    );
  }

  private checkUnique(doc: T, ignoreId?: string): void {
    for (const index of this.uniqueIndexes) {
      const fields = Object.keys(index.keys);
      const values = fields.map((f) => (doc as Record<string, unknown>)[f]);
      // Only documents holding the same values can clash: looked up through an index where one serves.
      const probe: Filter = {};
      for (const [i, field] of fields.entries()) {
        if (!isKey(values[i]) || field === '_id') break;
        probe[field] = values[i];
      }
      for (const other of [...this.candidates(probe).docs]) {
        if (other._id === ignoreId || other._id === doc._id) continue;
        if (fields.every((f, i) => (other as Record<string, unknown>)[f] === values[i])) {
          throw new DuplicateKeyError(this.name, fields.join(', '));
        }
      }
    }
  }
}

/**
 * A durable collection of an embedded process: in memory like the others, and saved whole to
 * its file after each write (small collections only: job records, not read models), so that it
 * is there again after a restart, even one by SIGKILL.
 */
class SnapshotCollection<T extends Document> implements DocumentCollection<T> {
  constructor(
    private readonly inner: MemoryCollection<T>,
    private readonly file: SnapshotFile,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  findOne(filter: Filter): Promise<T | null> {
    return this.inner.findOne(filter);
  }

  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  find<K extends keyof T & string>(
    filter: Filter,
    options: FindOptions & { fields: readonly K[] },
  ): Promise<Pick<T, K | '_id'>[]>;
  find(filter: Filter, options?: FindOptions): Promise<T[]> {
    return this.inner.find(filter, options);
  }

  count(filter: Filter): Promise<number> {
    return this.inner.count(filter);
  }

  async insertOne(doc: T): Promise<void> {
    await this.inner.insertOne(doc);
    await this.save();
  }

  replaceOne(filter: Filter, doc: T, options?: { upsert?: boolean }): Promise<number> {
    return this.saved(this.inner.replaceOne(filter, doc, options));
  }

  updateOne(filter: Filter, update: Update, options?: { upsert?: boolean }): Promise<number> {
    return this.saved(this.inner.updateOne(filter, update, options));
  }

  updateMany(filter: Filter, update: Update): Promise<number> {
    return this.saved(this.inner.updateMany(filter, update));
  }

  deleteMany(filter: Filter): Promise<number> {
    return this.saved(this.inner.deleteMany(filter));
  }

  private async saved(write: Promise<number>): Promise<number> {
    const changed = await write;
    if (changed > 0) await this.save();
    return changed;
  }

  private save(): Promise<void> {
    return this.file.save(JSON.stringify(this.inner.all()));
  }
}

/** Read models in memory, with MongoDB's query and update semantics (via mingo). */
export class MemoryDocumentStore implements DocumentStore {
  readonly volatile = true;
  private readonly collections = new Map<string, MemoryCollection<Document>>();
  private readonly durable = new Map<string, SnapshotCollection<Document>>();

  /** `dir`: where durable collections are kept (in memory only, like the others, without one). */
  constructor(private readonly options: { dir?: string } = {}) {}

  collection<T extends Document>(
    name: string,
    indexes: readonly IndexSpec[] = [],
    options: CollectionOptions = {},
  ): DocumentCollection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new MemoryCollection<Document>(name);
      this.collections.set(name, collection);
    }
    if (indexes.length > 0) collection.setIndexes(indexes);
    const { dir } = this.options;
    if (!options.durable || !dir) return collection as unknown as DocumentCollection<T>;
    let durable = this.durable.get(name);
    if (!durable) {
      const path = join(dir, `${name}.json`);
      collection.seed(readSaved(path));
      durable = new SnapshotCollection(collection, new SnapshotFile(path));
      this.durable.set(name, durable);
    }
    return durable as unknown as DocumentCollection<T>;
  }

  async ensureIndexes(name: string, indexes: readonly IndexSpec[]): Promise<void> {
    this.collection(name, indexes);
  }

  async dropCollection(name: string): Promise<void> {
    this.collections.delete(name);
    if (this.durable.delete(name) && this.options.dir)
      await rm(join(this.options.dir, `${name}.json`), { force: true });
  }

  async listCollections(): Promise<string[]> {
    return [...this.collections.keys()];
  }

  /** The documents of each collection not kept in a file of its own (read models), as stored. */
  keptInMemory(): { name: string; docs: readonly Document[] }[] {
    return [...this.collections]
      .filter(([name]) => !this.durable.has(name))
      .map(([name, collection]) => ({ name, docs: collection.all() }));
  }

  /**
   * Puts documents kept by `keptInMemory` back into a collection, as they are. An array is taken
   * at once; other documents when the collection is first used, or by `takeRestored` before.
   */
  restore(name: string, docs: Iterable<Document>): void {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new MemoryCollection<Document>(name);
      this.collections.set(name, collection);
    }
    if (Array.isArray(docs)) collection.seed(docs);
    else collection.restore(docs[Symbol.iterator]());
  }

  /**
   * Takes every restored document not taken yet, `slice` at a time, letting other work run
   * between slices: what a process restored before it served is in place soon after, without
   * one long pause on the first use of each collection.
   */
  async takeRestored(slice = 2_000): Promise<void> {
    for (const collection of [...this.collections.values()])
      while (collection.takeRestored(slice))
        await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** What a durable collection's file holds; nothing when it was never saved. */
function readSaved(path: string): Document[] {
  let text: string;
  try {
    // Read once, when the process first asks for the collection at boot.
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const docs: unknown = JSON.parse(text);
  if (!Array.isArray(docs)) throw new Error(`${path} does not hold a list of documents`);
  return docs as Document[];
}
