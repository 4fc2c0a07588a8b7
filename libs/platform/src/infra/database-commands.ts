import { currentCorrelation, metrics } from '@parley/observability';
import type { Connection, mongo } from 'mongoose';

/** What an index must serve for one query: equality keys, then the sort, then the ranges. */
export interface QueryShape {
  collection: string;
  /** `find`, `findAndModify`, `update`, `delete`, `count`, `distinct` or `aggregate`. */
  command: string;
  /** Keys compared to one value (or to a list with `$in`). */
  equality: string[];
  /** Keys compared with a range or another operator (`$gt`, `$ne`, `$exists`, inside `$or`…). */
  range: string[];
  /** The sort keys in order, with their direction. */
  sort: Array<[string, 1 | -1]>;
  /** The branches of a top-level `$or`, each served on its own (their keys are also in `range`). */
  branches?: Array<{ equality: string[]; range: string[] }>;
}

/** One command the service sent: one database round trip. */
export interface DatabaseCommand {
  command: string;
  collection: string;
  /** The request or event the command was sent for, when it ran inside one. */
  correlationId: string | undefined;
  /** The event being handled when a consumer sent the command; none for a request's own work. */
  causationId: string | undefined;
  /** The query shapes of the command (several for a batched update or delete). */
  shapes: QueryShape[];
}

/** Round trips by `command collection`, e.g. `{ 'find comments': 2 }`. */
export type RoundTripCounts = Record<string, number>;

type Doc = Record<string, unknown>;

function doc(value: unknown): Doc | undefined {
  // The driver sends a sort as a Map, to keep the order of its keys.
  if (value instanceof Map) return Object.fromEntries(value as Map<string, unknown>);
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Doc)
    : undefined;
}
const docs = (value: unknown): Doc[] =>
  Array.isArray(value) ? value.map(doc).filter((d) => d !== undefined) : [];

interface QueryPart {
  filter: Doc | undefined;
  sort?: Doc | undefined;
}

const QUERY_COMMANDS: Record<string, (command: Doc) => QueryPart[]> = {
  find: (c) => [{ filter: doc(c.filter), sort: doc(c.sort) }],
  findAndModify: (c) => [{ filter: doc(c.query), sort: doc(c.sort) }],
  count: (c) => [{ filter: doc(c.query) }],
  distinct: (c) => [{ filter: doc(c.query) }],
  update: (c) => docs(c.updates).map((u) => ({ filter: doc(u.q) })),
  delete: (c) => docs(c.deletes).map((d) => ({ filter: doc(d.q) })),
  aggregate: (c) => {
    const [first, second] = docs(c.pipeline);
    const match = doc(first?.$match);
    if (!match) return [{ filter: {} }];
    return [{ filter: match, sort: doc(second?.$sort) }];
  },
};

function isEquality(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || value instanceof Date) return true;
  if (Array.isArray(value)) return true;
  const operators = Object.keys(value);
  if (operators.length === 0 || !operators[0]?.startsWith('$')) return true;
  return operators.every((op) => op === '$eq' || op === '$in');
}

function collectKeys(filter: Doc, equality: Set<string>, range: Set<string>): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const clause of docs(value)) collectKeys(clause, equality, range);
    } else if (key.startsWith('$')) {
      // $or, $nor, $expr: the index serves them branch by branch, not as a prefix.
      for (const clause of docs(value)) collectKeys(clause, range, range);
    } else if (isEquality(value)) {
      equality.add(key);
    } else {
      range.add(key);
    }
  }
}

/** The shape of one query: its keys, never its values. */
export function queryShape(
  command: string,
  collection: string,
  filter: Doc | undefined,
  sort: Doc | undefined,
): QueryShape {
  const equality = new Set<string>();
  const range = new Set<string>();
  collectKeys(filter ?? {}, equality, range);
  for (const key of equality) range.delete(key);
  const branches = docs(filter?.$or).map((branch) => {
    const own = new Set<string>();
    const ranges = new Set<string>();
    collectKeys(branch, own, ranges);
    return { equality: [...own].sort(), range: [...ranges].sort() };
  });
  return {
    collection,
    command,
    equality: [...equality].sort(),
    range: [...range].sort(),
    sort: Object.entries(sort ?? {}).map(([key, direction]) => [
      key,
      Number(direction) < 0 ? -1 : 1,
    ]),
    ...(branches.length > 0 ? { branches } : {}),
  };
}

/** The query shapes of one command as the driver sends it (none for an insert). */
export function commandShapes(name: string, collection: string, command: Doc): QueryShape[] {
  const extract = QUERY_COMMANDS[name];
  return extract ? extract(command).map((q) => queryShape(name, collection, q.filter, q.sort)) : [];
}

/**
 * Counts the round trips of one connection to the database through the driver's command
 * monitoring, by command and collection, and feeds the database-commands metric. While
 * recording (tests and benchmarks), it also keeps each command with its query shapes and the
 * correlation id of the request or event it was sent for.
 */
export class DatabaseCommandMonitor {
  private counts = new Map<string, number>();
  private recorded: DatabaseCommand[] | undefined;
  private readonly clients = new WeakSet<mongo.MongoClient>();

  constructor(private readonly service: string) {}

  /** Follows the connection, and the new client it gets when it is reopened. */
  watch(connection: Connection): this {
    const attach = () => this.attach(connection.getClient());
    attach();
    connection.on('open', attach);
    return this;
  }

  attach(client: mongo.MongoClient): void {
    if (this.clients.has(client)) return;
    this.clients.add(client);
    client.on('commandStarted', (event) => this.started(event));
  }

  /** Starts keeping every command (until `stopRecording`), and forgets what was kept. */
  startRecording(): void {
    this.recorded = [];
  }

  stopRecording(): DatabaseCommand[] {
    const recorded = this.recorded ?? [];
    this.recorded = undefined;
    return recorded;
  }

  /** The commands kept since recording started. */
  commands(): readonly DatabaseCommand[] {
    return this.recorded ?? [];
  }

  /** The commands kept for one request and everything that followed from it. */
  commandsFor(correlationId: string): DatabaseCommand[] {
    return this.commands().filter((command) => command.correlationId === correlationId);
  }

  /** Round trips since the last reset, by `command collection`. */
  byCommand(): RoundTripCounts {
    return Object.fromEntries(this.counts);
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  reset(): void {
    this.counts = new Map();
    if (this.recorded) this.recorded = [];
  }

  private started(event: mongo.CommandStartedEvent): void {
    // Health pings and session ends go to the admin database: no work of the service.
    if (event.databaseName === 'admin') return;
    const name = event.commandName;
    const target: unknown = event.command[name];
    // getMore names its collection apart from the cursor id.
    const named: unknown = typeof target === 'string' ? target : event.command.collection;
    const collection = typeof named === 'string' ? named : '';
    const key = collection ? `${name} ${collection}` : name;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    metrics.databaseCommands.inc({ service: this.service, command: name, collection });
    if (!this.recorded) return;
    const correlation = currentCorrelation();
    this.recorded.push({
      command: name,
      collection,
      correlationId: correlation?.correlationId,
      causationId: correlation?.causationId,
      shapes: commandShapes(name, collection, event.command),
    });
  }
}
