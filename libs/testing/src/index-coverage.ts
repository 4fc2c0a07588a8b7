import type { DatabaseCommand, QueryShape } from '@parley/platform';
import { mongo } from 'mongoose';

/** The keys of one index, in order, with their direction. */
export type IndexKeys = Array<[string, 1 | -1]>;

/** The indexes of each collection of a database, as the server lists them. */
export async function declaredIndexes(uri: string): Promise<Map<string, IndexKeys[]>> {
  const client = new mongo.MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    const db = client.db();
    const found = new Map<string, IndexKeys[]>();
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      const indexes = await db.collection(name).listIndexes().toArray();
      found.set(
        name,
        indexes.map((index) =>
          Object.entries((index as { key: Record<string, unknown> }).key).map(
            ([key, direction]): [string, 1 | -1] => [key, Number(direction) < 0 ? -1 : 1],
          ),
        ),
      );
    }
    return found;
  } finally {
    await client.close();
  }
}

/**
 * Whether an index serves a query: its first keys are the query's equality keys (in any
 * order), then its sort (in the index's order or all reversed); a query with ranges only needs
 * an index that starts with one of them.
 */
export function indexServes(index: IndexKeys, shape: QueryShape): boolean {
  const equality = new Set(shape.equality);
  let position = 0;
  while (position < index.length && equality.has(index[position]?.[0] ?? '')) position += 1;
  if (position < equality.size) return false;
  const sort = shape.sort.filter(([key]) => !equality.has(key));
  if (sort.length === 0) {
    return equality.size > 0 || shape.range.includes(index[0]?.[0] ?? '');
  }
  let flip: number | undefined;
  for (const [offset, [key, direction]] of sort.entries()) {
    const indexed = index[position + offset];
    if (!indexed || indexed[0] !== key) return false;
    const relative = indexed[1] * direction;
    flip ??= relative;
    if (relative !== flip) return false;
  }
  return true;
}

/** A query shape left to scan on purpose, with the reason. */
export interface IntendedScan {
  collection: RegExp;
  command?: string;
  /** The equality keys of the shape, sorted; omitted for any. */
  equality?: string[];
  reason: string;
}

export interface UncoveredShape extends QueryShape {
  service: string;
}

function servedAlone(shape: QueryShape, declared: readonly IndexKeys[]): boolean {
  return shape.equality.includes('_id') || declared.some((index) => indexServes(index, shape));
}

/** A query with a top-level `$or` is served when each branch, with the rest of the filter, is. */
function served(shape: QueryShape, declared: readonly IndexKeys[]): boolean {
  if (servedAlone(shape, declared)) return true;
  if (!shape.branches) return false;
  const outside = new Set(shape.branches.flatMap((b) => [...b.equality, ...b.range]));
  const outerRange = shape.range.filter((key) => !outside.has(key));
  return shape.branches.every((branch) =>
    servedAlone(
      {
        ...shape,
        equality: [...new Set([...shape.equality, ...branch.equality])].sort(),
        range: [...new Set([...outerRange, ...branch.range])].sort(),
      },
      declared,
    ),
  );
}

function shapeKey(service: string, shape: QueryShape): string {
  return JSON.stringify([
    service,
    shape.collection,
    shape.command,
    shape.equality,
    shape.range,
    shape.sort,
  ]);
}

/** The query shapes sent by each service that no index of its database serves. */
export function uncoveredShapes(
  commands: Record<string, readonly DatabaseCommand[]>,
  indexes: Record<string, Map<string, IndexKeys[]>>,
  intended: readonly IntendedScan[] = [],
): UncoveredShape[] {
  const uncovered = new Map<string, UncoveredShape>();
  for (const [service, sent] of Object.entries(commands)) {
    for (const shape of sent.flatMap((command) => command.shapes)) {
      const declared = indexes[service]?.get(shape.collection) ?? [];
      if (served(shape, declared)) continue;
      const excused = intended.some(
        (scan) =>
          scan.collection.test(shape.collection) &&
          (scan.command === undefined || scan.command === shape.command) &&
          (scan.equality === undefined ||
            JSON.stringify(scan.equality) === JSON.stringify(shape.equality)),
      );
      if (!excused) uncovered.set(shapeKey(service, shape), { service, ...shape });
    }
  }
  return [...uncovered.values()];
}
