import type { PersonRef } from './person';

/** A person's data key: 32 random bytes for AES-256-GCM, named by an opaque reference. */
export interface PersonKey {
  readonly keyId: string;
  readonly material: Buffer;
}

/** What a store holds, without the key material: for tests and audits. */
export interface StoredKeyInfo {
  readonly keyId: string;
  /** The person's digest (see personDigest), never their address. */
  readonly person: string;
  /** The retention period the key serves (a UTC day, YYYY-MM-DD), or null for the person's lasting key. */
  readonly period: string | null;
}

/**
 * The keys of personal data, one per person (and one per person and retention period for
 * data kept only for a while), stored apart from the events they open. Destroying a key
 * removes it from storage: every value sealed with it becomes unreadable for good.
 */
export interface PersonKeyStore {
  /** The person's key for the period (or their lasting key), made on first use; one key per person and period however many callers race. */
  keyFor(person: PersonRef, period?: string): Promise<PersonKey>;
  /** The key a sealed value names, or undefined once it has been destroyed (or never existed). */
  find(keyId: string): Promise<PersonKey | undefined>;
  /** Destroys every key of the person; idempotent. Answers how many keys it destroyed. */
  destroy(person: PersonRef): Promise<number>;
  /** Destroys the keys of every retention period before the given one (exclusive). Answers how many. */
  destroyPeriodsBefore(period: string): Promise<number>;
  list(): Promise<StoredKeyInfo[]>;
}

/** A stored key with what it is for: what a copy of the key store carries. */
export interface PersonKeyEntry {
  readonly info: StoredKeyInfo;
  readonly key: PersonKey;
}

/** A key store whose keys can be copied into another one, as they are (a log migrated to a new store keeps opening). */
export interface TransferablePersonKeys {
  allKeys(): Promise<PersonKeyEntry[]>;
  /** Keeps the key as given; 'present' when it is there already. Throws when the person and period hold another key. */
  adopt(entry: PersonKeyEntry): Promise<'added' | 'present'>;
}

/** Another key of the same person and period is already in the store a key is copied into. */
export class PersonKeyConflictError extends Error {
  constructor(readonly keyId: string) {
    super(`The target key store holds another key for the person and period of key ${keyId}`);
    this.name = 'PersonKeyConflictError';
  }
}

export const KEY_BYTES = 32;
const PERIOD = /^\d{4}-\d{2}-\d{2}$/;

export function assertPeriod(period: string): void {
  if (!PERIOD.test(period)) throw new Error(`A retention period is a UTC day (YYYY-MM-DD)`);
}
