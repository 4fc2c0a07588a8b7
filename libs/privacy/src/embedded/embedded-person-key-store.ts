import { randomBytes } from 'node:crypto';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import { SnapshotFile } from '@parley/files';
import { type PersonRef, personDigest } from '../person';
import {
  assertPeriod,
  KEY_BYTES,
  type PersonKey,
  PersonKeyConflictError,
  type PersonKeyEntry,
  type PersonKeyStore,
  type StoredKeyInfo,
  type TransferablePersonKeys,
} from '../person-key-store.port';

interface Entry {
  readonly info: StoredKeyInfo;
  readonly key: PersonKey;
  /** Settles once the key is on disk: a value is never sealed with a key a crash could lose. */
  durable: Promise<void>;
}

interface SavedKey {
  keyId: string;
  person: string;
  period: string | null;
  key: string;
}

/** The file before keys were appended: one JSON document, replaced whole on every change. */
interface WholeFileV1 {
  version: 1;
  keys: SavedKey[];
}

const HEADER = { version: 2 } as const;

const slot = (person: string, period: string | null) => `${person}/${period ?? ''}`;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Keys of one process, kept in memory and, given a path, in a JSON-lines file of the data
 * folder, readable by its owner only. A new key is appended (keys made together share one
 * sync); destroying keys rewrites the file whole without them (written aside, synced,
 * renamed), so no copy of a destroyed key stays in it.
 */
export class EmbeddedPersonKeyStore implements PersonKeyStore, TransferablePersonKeys {
  private readonly entries = new Map<string, Entry>();
  /** The same entries by key reference: every sealed value opened looks its key up here. */
  private readonly byKeyId = new Map<string, Entry>();
  /** Keys made since the last write, with the callers waiting for them to be on disk. */
  private appends: { lines: string[]; waiters: Waiter[] } = { lines: [], waiters: [] };
  /** Callers waiting for the file to be rewritten without the keys they destroyed. */
  private rewrites: Waiter[] = [];
  private writing: Promise<void> | undefined;
  private handle: FileHandle | undefined;

  private constructor(private readonly file: SnapshotFile | undefined) {}

  /** Opens the store at `path` (or in memory only, without one), with the keys already saved there. */
  static async open(path?: string): Promise<EmbeddedPersonKeyStore> {
    const store = new EmbeddedPersonKeyStore(
      path === undefined ? undefined : new SnapshotFile(path, { mode: 0o600 }),
    );
    if (path === undefined) return store;
    const { keys, current } = await readSaved(path);
    for (const saved of keys) {
      const info = { keyId: saved.keyId, person: saved.person, period: saved.period };
      const key = { keyId: saved.keyId, material: Buffer.from(saved.key, 'base64') };
      store.add(slot(saved.person, saved.period), { info, key, durable: Promise.resolve() });
    }
    // A new file, the older format or a line cut by a crash: written again whole first.
    if (!current) await store.write((waiter) => store.rewrites.push(waiter));
    return store;
  }

  async keyFor(person: PersonRef, period?: string): Promise<PersonKey> {
    if (period !== undefined) assertPeriod(period);
    const digest = personDigest(person);
    const name = slot(digest, period ?? null);
    let entry = this.entries.get(name);
    if (!entry) {
      const keyId = randomBytes(16).toString('base64url');
      const key = { keyId, material: randomBytes(KEY_BYTES) };
      const info = { keyId, person: digest, period: period ?? null };
      const made: Entry = { info, key, durable: Promise.resolve() };
      this.add(name, made);
      made.durable = this.write((waiter) => {
        this.appends.lines.push(line(info, key));
        this.appends.waiters.push(waiter);
      }).catch((error: unknown) => {
        if (this.entries.get(name) === made) this.delete(name, made);
        throw error;
      });
      entry = made;
    }
    await entry.durable;
    return entry.key;
  }

  async find(keyId: string): Promise<PersonKey | undefined> {
    const entry = this.byKeyId.get(keyId);
    if (!entry) return undefined;
    await entry.durable;
    return entry.key;
  }

  async destroy(person: PersonRef): Promise<number> {
    const digest = personDigest(person);
    return this.remove((info) => info.person === digest);
  }

  async destroyPeriodsBefore(period: string): Promise<number> {
    assertPeriod(period);
    return this.remove((info) => info.period !== null && info.period < period);
  }

  async list(): Promise<StoredKeyInfo[]> {
    return [...this.entries.values()].map((entry) => entry.info);
  }

  /** Lets go of the file; the keys stay usable in memory. */
  async close(): Promise<void> {
    await this.writing;
    await this.handle?.close();
    this.handle = undefined;
  }

  async allKeys(): Promise<PersonKeyEntry[]> {
    return [...this.entries.values()].map(({ info, key }) => ({ info, key }));
  }

  async adopt(entry: PersonKeyEntry): Promise<'added' | 'present'> {
    const { info, key } = entry;
    if (key.material.length !== KEY_BYTES) throw new Error('A person key has 32 bytes');
    const name = slot(info.person, info.period);
    const held = this.entries.get(name);
    if (held) {
      if (held.info.keyId !== info.keyId || !held.key.material.equals(key.material))
        throw new PersonKeyConflictError(info.keyId);
      await held.durable;
      return 'present';
    }
    if (this.byKeyId.has(info.keyId)) throw new PersonKeyConflictError(info.keyId);
    const adopted: Entry = { info, key, durable: Promise.resolve() };
    this.add(name, adopted);
    adopted.durable = this.write((waiter) => {
      this.appends.lines.push(line(info, key));
      this.appends.waiters.push(waiter);
    });
    await adopted.durable;
    return 'added';
  }

  private async remove(doomed: (info: StoredKeyInfo) => boolean): Promise<number> {
    let removed = 0;
    for (const [name, entry] of this.entries) {
      if (doomed(entry.info)) {
        this.delete(name, entry);
        removed += 1;
      }
    }
    if (removed > 0) await this.write((waiter) => this.rewrites.push(waiter));
    return removed;
  }

  private add(name: string, entry: Entry): void {
    this.entries.set(name, entry);
    this.byKeyId.set(entry.info.keyId, entry);
  }

  private delete(name: string, entry: Entry): void {
    this.entries.delete(name);
    this.byKeyId.delete(entry.info.keyId);
  }

  /**
   * Queues a change for the one writer of the file and settles when a write carried it.
   * Writes never overlap: what is asked meanwhile goes in the next one, a rewrite whole
   * (which holds every key in memory, new ones too) when any caller destroyed keys.
   */
  private write(enqueue: (waiter: Waiter) => void): Promise<void> {
    if (!this.file) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      enqueue({ resolve, reject });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.rewrites.length > 0 || this.appends.lines.length > 0) {
        const appends = this.appends;
        const rewrites = this.rewrites;
        this.appends = { lines: [], waiters: [] };
        this.rewrites = [];
        const waiters = [...appends.waiters, ...rewrites];
        try {
          if (rewrites.length > 0) await this.rewriteWhole();
          else await this.append(appends.lines.join(''));
          for (const w of waiters) w.resolve();
        } catch (error) {
          for (const w of waiters) w.reject(error);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async append(text: string): Promise<void> {
    const file = this.file!;
    this.handle ??= await open(file.path, 'a', 0o600);
    await this.handle.appendFile(text);
    await this.handle.datasync();
  }

  private async rewriteWhole(): Promise<void> {
    const file = this.file!;
    await this.handle?.close();
    this.handle = undefined;
    const body = [...this.entries.values()].map(({ info, key }) => line(info, key)).join('');
    await file.save(`${JSON.stringify(HEADER)}\n${body}`);
  }
}

function line(info: StoredKeyInfo, key: PersonKey): string {
  const saved: SavedKey = { ...info, key: key.material.toString('base64') };
  return `${JSON.stringify(saved)}\n`;
}

/** The keys in the file, and whether it is whole and in today's format (else it is rewritten). */
async function readSaved(path: string): Promise<{ keys: SavedKey[]; current: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { keys: [], current: false };
    throw error;
  }
  const refuse = () =>
    new Error(`${path} is not a person key file this version of Parley can read`);
  const lines = text.split('\n');
  let first: unknown;
  try {
    first = JSON.parse(lines[0] ?? '');
  } catch {
    throw refuse();
  }
  const version = (first as { version?: unknown } | null)?.version;
  if (version === 1 && Array.isArray((first as WholeFileV1).keys)) {
    return { keys: (first as WholeFileV1).keys, current: false };
  }
  if (version !== HEADER.version || !text.includes('\n')) throw refuse();
  const byKeyId = new Map<string, SavedKey>();
  // The last line is empty when every write completed; anything else there is a cut append.
  const whole = lines.at(-1) === '';
  for (const content of lines.slice(1, -1)) {
    let saved: SavedKey;
    try {
      saved = JSON.parse(content) as SavedKey;
    } catch {
      // Only the last line can be cut by a crash, and it has no newline: this one is damaged.
      throw refuse();
    }
    byKeyId.set(saved.keyId, saved);
  }
  return { keys: [...byKeyId.values()], current: whole };
}
