import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EmbeddedMessageBus } from '@parley/messaging';
import { type Document, MemoryDocumentStore } from '@parley/readmodel';
import type { Logger } from 'pino';
import type { ServiceInfrastructure } from './service-infrastructure';
import {
  type ReadModelFeed,
  type ServiceDefinition,
  type StartedService,
  projectionFeeds,
} from './start-service';

/** Where a service of the embedded process keeps its read models between a stop and a start. */
export const KEPT_READ_MODELS_FILE = 'read-models.jsonl';

/** The file a service of the embedded process keeps its read models in. */
export function keptReadModelsFile(dataDir: string, service: string): string {
  return join(dataDir, service, KEPT_READ_MODELS_FILE);
}

export type { ReadModelFeed } from './start-service';

export interface KeptReadModelsOptions {
  /** The file, in the service's folder of the data folder. */
  readonly file: string;
  readonly store: MemoryDocumentStore;
  readonly bus: EmbeddedMessageBus;
  /** Every group that writes the store's read models: what they had applied is kept with them. */
  readonly feeds: readonly ReadModelFeed[];
  readonly logger?: Logger;
}

/** The first line of the file: what the documents after it were made from. */
interface KeptHeader {
  format: 1;
  /** The code that projected them: other code may project the same events otherwise. */
  code: string;
  keptAt: string;
  /** Where each feeding group stood, by `topic:partition`, when the documents were kept. */
  groups: Record<string, Record<string, number>>;
  collections: string[];
}

const FORMAT = 1;

let fingerprint: string | undefined;

/**
 * What identifies the running code: a hash of the files of its `apps` and `libs` folders. Read
 * models kept by other code (an upgrade, a change) are not taken: they are rebuilt from the logs.
 */
export function codeFingerprint(): string {
  if (fingerprint) return fingerprint;
  let root = __dirname;
  while (!isCodeRoot(root)) {
    const parent = dirname(root);
    if (parent === root) throw new Error(`No apps and libs folders above ${__dirname}`);
    root = parent;
  }
  const hash = createHash('sha256');
  for (const folder of ['apps', 'libs'])
    for (const path of codeFiles(join(root, folder))) {
      hash.update(path.slice(root.length));
      hash.update(readFileSync(path));
    }
  return (fingerprint = hash.digest('hex'));
}

function isCodeRoot(dir: string): boolean {
  try {
    const names = readdirSync(dir);
    return names.includes('apps') && names.includes('libs');
  } catch {
    return false;
  }
}

function codeFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') files.push(...codeFiles(path));
    } else if (/\.(js|ts|json)$/.test(entry.name)) files.push(path);
  }
  return files;
}

/** A date in a document, marked so that it comes back a date. */
function marked(this: Record<string, unknown>, key: string, value: unknown): unknown {
  return this[key] instanceof Date ? { $date: value } : value;
}

function unmarked(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const date = (value as { $date?: unknown }).$date;
  return typeof date === 'string' && Object.keys(value).length === 1 ? new Date(date) : value;
}

/** The first group feeding the read models that has not applied every event of its topics, if any. */
export async function readModelsBehind(
  options: Pick<KeptReadModelsOptions, 'bus' | 'feeds'>,
): Promise<string | undefined> {
  return (await behind(options.bus, options.feeds)).lagging;
}

/**
 * The read models of a service of the embedded process, kept in its folder of the data folder:
 * undefined when its store or bus are not the embedded ones.
 */
export function keptReadModelsOf(
  infra: ServiceInfrastructure,
  definition: Pick<ServiceDefinition, 'name' | 'projections'>,
  dataDir: string,
): KeptReadModelsOptions | undefined {
  if (
    !(infra.documents instanceof MemoryDocumentStore) ||
    !(infra.bus instanceof EmbeddedMessageBus)
  )
    return undefined;
  return {
    file: keptReadModelsFile(dataDir, definition.name),
    store: infra.documents,
    bus: infra.bus,
    feeds: projectionFeeds(definition, infra),
    logger: infra.logger,
  };
}

/** How long a stop waits for every event written to reach every read model before it keeps them. */
export const SETTLE_MS = 5_000;

/** Whether every commit of the services' logs is on the bus. */
export async function nothingUnpublished(
  services: readonly Pick<StartedService, 'infra'>[],
): Promise<boolean> {
  for (const { infra } of services)
    if ((await infra.eventStore.readUnpublished(1)).length > 0) return false;
  return true;
}

/**
 * Waits, at most `withinMs`, until every commit is on the bus and every read model kept has
 * applied it: a stop does so before it stops the services, so that what it keeps holds it all.
 */
export async function untilReadModelsSettled(
  services: readonly Pick<StartedService, 'infra'>[],
  kept: readonly Pick<KeptReadModelsOptions, 'bus' | 'feeds'>[],
  withinMs = SETTLE_MS,
): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    let settled = await nothingUnpublished(services);
    for (const options of kept) if (settled && (await readModelsBehind(options))) settled = false;
    if (settled) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Where each group stands against the end of its topics: the first that has not applied all, if any. */
async function behind(
  bus: EmbeddedMessageBus,
  feeds: readonly ReadModelFeed[],
): Promise<{ groups: KeptHeader['groups']; lagging?: string }> {
  const groups: KeptHeader['groups'] = {};
  for (const feed of feeds) {
    const committed = await bus.committedOffsets(feed.groupId);
    groups[feed.groupId] = committed;
    for (const topic of feed.topics)
      for (const { partition, high } of await bus.topicOffsets(topic))
        if ((committed[`${topic}:${partition}`] ?? 0) !== Number(high))
          return { groups, lagging: feed.groupId };
  }
  return { groups };
}

/**
 * Writes a service's read models to its file with where their groups stand, once the groups
 * are stopped, so that the next start takes them instead of replaying every log. Only when each
 * group has applied everything on its topics: what is kept then holds every event written (an
 * erasure too), and nothing older than the logs comes back. Returns whether it kept them.
 */
export async function keepReadModels(options: KeptReadModelsOptions): Promise<boolean> {
  const { groups, lagging } = await behind(options.bus, options.feeds);
  if (lagging) {
    options.logger?.info(
      { group: lagging },
      'read models not kept: a group had not applied every event; the next start replays the logs',
    );
    return false;
  }
  const kept = options.store.keptInMemory();
  const header: KeptHeader = {
    format: FORMAT,
    code: codeFingerprint(),
    keptAt: new Date().toISOString(),
    groups,
    collections: kept.map((c) => c.name),
  };
  await sealKeptFile(options.file, keptLines(header, kept));
  return true;
}

/** The header, then one line per document: its collection's place in the header, and itself. */
function* keptLines(
  header: KeptHeader,
  kept: readonly { docs: readonly Document[] }[],
): Generator<string> {
  yield JSON.stringify(header);
  for (const [index, { docs }] of kept.entries())
    for (const doc of docs) yield JSON.stringify([index, doc], marked);
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Writes lines to a file sealed with a key of its own (AES-256-GCM), kept in a small file beside
 * it: read models hold names and addresses in clear, and once the next start has taken them and
 * removed the key, what the disk may still hold of them cannot be read. Written whole, synced,
 * then put in place, so a reader finds the old file or the new one, never a torn one.
 */
export async function sealKeptFile(path: string, lines: Iterable<string>): Promise<void> {
  const key = randomBytes(32);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.write(iv);
    let chunk: string[] = [];
    let size = 0;
    for (const line of lines) {
      chunk.push(line);
      size += line.length;
      if (size > 1 << 20) {
        await file.write(cipher.update(`${chunk.join('\n')}\n`, 'utf8'));
        chunk = [];
        size = 0;
      }
    }
    await file.write(cipher.update(`${chunk.join('\n')}\n`, 'utf8'));
    await file.write(Buffer.concat([cipher.final(), cipher.getAuthTag()]));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  const keyTmp = `${path}.key.${process.pid}.tmp`;
  await writeFile(keyTmp, key.toString('base64'), { mode: 0o600, flush: true });
  await rename(keyTmp, `${path}.key`);
}

/** A kept file and its key, as read from disk, not opened yet. */
export interface SealedKeptFile {
  readonly sealed: Buffer;
  readonly key: Buffer;
}

/** A kept file and its key: null when either is missing. */
export async function readKeptFile(path: string): Promise<SealedKeptFile | null> {
  try {
    const [sealed, key] = await Promise.all([
      readFile(path),
      readFile(`${path}.key`, 'utf8').then((text) => Buffer.from(text, 'base64')),
    ]);
    return { sealed, key };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** What `sealKeptFile` wrote, opened with its key; throws when torn. */
function openSealed({ sealed, key }: SealedKeptFile): Buffer {
  const iv = sealed.subarray(0, IV_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const opened = decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES));
  const rest = decipher.final();
  return rest.length === 0 ? opened : Buffer.concat([opened, rest]);
}

/** What `sealKeptFile` wrote, opened with its key: null when either is missing; throws when torn. */
export async function openKeptFile(path: string): Promise<Buffer | null> {
  const read = await readKeptFile(path);
  return read && openSealed(read);
}

/**
 * Takes the read models a service kept at its last stop, and starts their groups where they
 * stood then: the logs are replayed from there on. The file is removed whether it is taken or
 * not (a crash before the next stop leaves none, and that start replays every log). Refused,
 * and replayed from the logs instead: another format, other code, other groups, or a group
 * past the end of its topics (logs that are not the ones they were kept with). Returns how
 * many documents it took, or null.
 */
export async function restoreReadModels(
  options: KeptReadModelsOptions,
  /** The file as read already, when the start read it ahead. */
  reading: Promise<SealedKeptFile | null> = readKeptFile(options.file),
): Promise<number | null> {
  let bytes: Buffer | null;
  try {
    const read = await reading;
    bytes = read && openSealed(read);
  } catch (error) {
    bytes = null;
    options.logger?.info({ err: error }, 'kept read models unreadable; replaying the logs');
  }
  await Promise.all(
    [options.file, `${options.file}.key`, ...(await unfinished(options.file))].map((path) =>
      rm(path, { force: true }),
    ),
  );
  if (!bytes) return null;
  const read = await readKept(bytes, options).catch(
    (error: unknown) => `unreadable: ${String(error)}`,
  );
  if (typeof read === 'string') {
    options.logger?.info({ reason: read }, 'kept read models not taken; replaying the logs');
    return null;
  }
  for (const [index, name] of read.header.collections.entries())
    options.store.restore(name, read.docs[index] ?? []);
  for (const [groupId, offsets] of Object.entries(read.header.groups))
    await options.bus.resumeGroup(groupId, offsets);
  return read.docs.reduce((count, docs) => count + docs.count, 0);
}

/**
 * What a kept file holds, each collection's documents in the header's order, parsed when the
 * collection takes them (the file is authenticated whole: it is the one the last stop wrote);
 * or why it is not taken.
 */
async function readKept(
  bytes: Buffer,
  options: KeptReadModelsOptions,
): Promise<{ header: KeptHeader; docs: KeptDocuments[] } | string> {
  const headerEnd = bytes.indexOf(NEWLINE);
  const header = JSON.parse(
    bytes.toString('utf8', 0, headerEnd === -1 ? bytes.length : headerEnd),
  ) as Partial<KeptHeader>;
  const refusal = await refusalOf(header, options);
  if (refusal) return refusal;
  const kept = header as KeptHeader;
  const docs = kept.collections.map(() => new KeptDocuments(bytes));
  for (let start = headerEnd + 1; start > 0 && start < bytes.length;) {
    const end = bytes.indexOf(NEWLINE, start);
    if (end === -1) return 'cut short: its last line has no end';
    if (end > start) {
      // Each line is `[index,{document}]`: its collection is read without the rest.
      const comma = bytes.indexOf(COMMA, start);
      const collection = docs[Number(bytes.toString('latin1', start + 1, comma))];
      if (
        !collection ||
        bytes[start] !== OPEN ||
        bytes[comma + 1] !== BRACE ||
        bytes[end - 2] !== CLOSE_BRACE ||
        bytes[end - 1] !== CLOSE
      )
        return `cut short: a line that is not one document of a collection, at byte ${start}`;
      collection.line(start, end);
    }
    start = end + 1;
  }
  return { header: kept, docs };
}

const NEWLINE = 0x0a;
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** The documents of one collection in a kept file: where their lines are, parsed as they are taken. */
class KeptDocuments implements Iterable<Document> {
  private readonly bounds: number[] = [];

  constructor(private readonly bytes: Buffer) {}

  get count(): number {
    return this.bounds.length / 2;
  }

  line(start: number, end: number): void {
    this.bounds.push(start, end);
  }

  *[Symbol.iterator](): Iterator<Document> {
    for (let i = 0; i < this.bounds.length; i += 2) {
      const line = this.bytes.toString('utf8', this.bounds[i], this.bounds[i + 1]);
      yield (
        JSON.parse(line, line.includes('"$date"') ? unmarked : undefined) as [number, Document]
      )[1];
    }
  }
}

async function refusalOf(
  header: Partial<KeptHeader>,
  options: KeptReadModelsOptions,
): Promise<string | undefined> {
  if (header.format !== FORMAT) return `format ${String(header.format)}`;
  if (header.code !== codeFingerprint()) return 'kept by other code';
  const groups = header.groups ?? {};
  const expected = options.feeds.map((f) => f.groupId).sort();
  if (JSON.stringify(Object.keys(groups).sort()) !== JSON.stringify(expected))
    return 'kept for other groups';
  for (const feed of options.feeds)
    for (const topic of feed.topics) {
      const highs = new Map(
        (await options.bus.topicOffsets(topic)).map((p) => [p.partition, Number(p.high)]),
      );
      for (const [key, offset] of Object.entries(groups[feed.groupId] ?? {})) {
        const at = key.lastIndexOf(':');
        if (key.slice(0, at) !== topic) continue;
        if (offset > (highs.get(Number(key.slice(at + 1))) ?? -1))
          return `${feed.groupId} had passed the end of ${key}`;
      }
    }
  return undefined;
}

/** What a stop that ended while it kept the read models left of their files (`sealKeptFile`). */
async function unfinished(path: string): Promise<string[]> {
  const prefix = basename(path);
  const names = await readdir(dirname(path)).catch(() => []);
  return names
    .filter((name) => name.startsWith(`${prefix}.`) && name.endsWith('.tmp'))
    .map((name) => join(dirname(path), name));
}
