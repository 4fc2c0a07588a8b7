import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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

interface SavedFile {
  version: 1;
  keys: SavedKey[];
}

const slot = (person: string, period: string | null) => `${person}/${period ?? ''}`;

/**
 * Keys of one process, kept in memory and, given a path, in a file of the data directory.
 * The file is replaced whole on every change (written aside, synced, renamed), so a destroyed
 * key leaves no copy in it; it is readable by its owner only.
 */
export class EmbeddedPersonKeyStore implements PersonKeyStore, TransferablePersonKeys {
  private readonly entries = new Map<string, Entry>();
  /** The same entries by key reference: every sealed value opened looks its key up here. */
  private readonly byKeyId = new Map<string, Entry>();

  private constructor(private readonly file: SnapshotFile | undefined) {}

  /** Opens the store at `path` (or in memory only, without one), with the keys already saved there. */
  static async open(path?: string): Promise<EmbeddedPersonKeyStore> {
    const store = new EmbeddedPersonKeyStore(
      path === undefined ? undefined : new SnapshotFile(path, { mode: 0o600 }),
    );
    if (path !== undefined) {
      for (const saved of await readSaved(path)) {
        const info = { keyId: saved.keyId, person: saved.person, period: saved.period };
        const key = { keyId: saved.keyId, material: Buffer.from(saved.key, 'base64') };
        store.add(slot(saved.person, saved.period), { info, key, durable: Promise.resolve() });
      }
    }
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
      // In the map before the save starts, so the saved content holds it.
      const made: Entry = {
        info,
        key,
        durable: Promise.resolve(),
      };
      this.add(name, made);
      made.durable = this.persist().catch((error: unknown) => {
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
    this.add(name, { info, key, durable: Promise.resolve() });
    await this.persist();
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
    if (removed > 0) await this.persist();
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

  private async persist(): Promise<void> {
    if (!this.file) return;
    const saved: SavedFile = {
      version: 1,
      keys: [...this.entries.values()].map(({ info, key }) => ({
        ...info,
        key: key.material.toString('base64'),
      })),
    };
    await this.file.save(`${JSON.stringify(saved)}\n`);
  }
}

async function readSaved(path: string): Promise<SavedKey[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const saved = JSON.parse(text) as Partial<SavedFile>;
  if (saved.version !== 1 || !Array.isArray(saved.keys)) {
    throw new Error(`${path} is not a person key file this version of Parley can read`);
  }
  return saved.keys;
}
