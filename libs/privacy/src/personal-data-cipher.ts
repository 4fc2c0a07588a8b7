import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PersonRef } from './person';
import { KEY_BYTES, type PersonKey, type PersonKeyStore } from './person-key-store.port';

const VERSION = 'pd1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** A sealed value as it travels in events: `pd1.<keyId>.<iv>.<ciphertext>.<tag>`, base64url parts. */
export type SealedValue = string;

export interface SealedParts {
  readonly version: typeof VERSION;
  readonly keyId: string;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

export type OpenedValue =
  /** The plaintext; `legacy` when the value was stored in plaintext, before values were sealed. */
  | { readonly status: 'plain'; readonly value: string; readonly legacy?: true }
  /** The person's key was destroyed: the value is gone for good. */
  | { readonly status: 'erased'; readonly keyId: string }
  | {
      readonly status: 'unreadable';
      readonly reason: 'malformed' | 'unsupported-version' | 'tampered';
    };

export interface SealOptions {
  /** Seal with the person's key of this retention period (a UTC day), destroyed when the period expires. */
  readonly period?: string;
}

/** Whether a stored value is a sealed one (as opposed to plaintext written before encryption). */
export function isSealedValue(value: unknown): value is SealedValue {
  return typeof value === 'string' && parseSealedValue(value) !== undefined;
}

/**
 * Whether a stored value was written in plaintext, before personal data was sealed: anything
 * that does not even claim to be sealed (`pd<n>.`). Such a value reads as it is.
 */
export function isLegacyPlaintext(value: string): boolean {
  return !/^pd\d+\./.test(value);
}

export function parseSealedValue(value: string): SealedParts | undefined {
  const parts = value.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) return undefined;
  const [, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  if (keyId.length === 0 || ![keyId, iv, ciphertext, tag].every((p) => BASE64URL.test(p))) {
    return undefined;
  }
  const parsed = {
    version: VERSION,
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    ciphertext: Buffer.from(ciphertext, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
  } as const;
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES) return undefined;
  return parsed;
}

/** The value is bound to its version, its key and the field it was sealed for. */
function associatedData(keyId: string, field: string): Buffer {
  return Buffer.from(JSON.stringify([VERSION, keyId, field]), 'utf8');
}

function assertField(field: string): void {
  if (field.length === 0) throw new Error('A sealed value needs the name of its field');
}

/**
 * Personal data (names, addresses, websites, IPs, user agents) sealed with AES-256-GCM under
 * its person's key, with a fresh random IV per value; the field name is authenticated, so a
 * value moved into another field does not open.
 */
export class PersonalDataCipher {
  constructor(private readonly keys: PersonKeyStore) {}

  async seal(
    person: PersonRef,
    field: string,
    value: string,
    options: SealOptions = {},
  ): Promise<SealedValue> {
    assertField(field);
    return sealWith(await this.keys.keyFor(person, options.period), field, value);
  }

  /** Seals several fields of one person with one key lookup. */
  async sealAll<F extends string>(
    person: PersonRef,
    values: Readonly<Record<F, string>>,
    options: SealOptions = {},
  ): Promise<Record<F, SealedValue>> {
    const fields = Object.keys(values) as F[];
    fields.forEach(assertField);
    const key = await this.keys.keyFor(person, options.period);
    const sealed = {} as Record<F, SealedValue>;
    for (const field of fields) sealed[field] = sealWith(key, field, values[field]);
    return sealed;
  }

  /**
   * Opens a stored personal data field: a sealed value as `open` does, and a value written in
   * plaintext before sealing (see isLegacyPlaintext) as that plaintext, marked legacy.
   */
  async openStored(value: string, field: string): Promise<OpenedValue> {
    if (isLegacyPlaintext(value)) return { status: 'plain', value, legacy: true };
    return this.open(value, field);
  }

  /** Opens several stored fields (see openStored), looking each key up once. */
  async openStoredAll(
    items: readonly { readonly value: string; readonly field: string }[],
  ): Promise<OpenedValue[]> {
    const keys = new Map<string, Promise<PersonKey | undefined>>();
    return Promise.all(
      items.map(async ({ value, field }): Promise<OpenedValue> => {
        const parts = isLegacyPlaintext(value) ? undefined : parseSealedValue(value);
        if (!parts) return this.openStored(value, field);
        let key = keys.get(parts.keyId);
        if (!key) keys.set(parts.keyId, (key = this.keys.find(parts.keyId)));
        const found = await key;
        return found ? openWith(found, parts, field) : { status: 'erased', keyId: parts.keyId };
      }),
    );
  }

  /** Opens a value sealed for the field: its plaintext, or why there is none; never throws for bad input. */
  async open(sealed: string, field: string): Promise<OpenedValue> {
    const parts = parseSealedValue(sealed);
    if (!parts) {
      return {
        status: 'unreadable',
        reason: isOtherVersion(sealed) ? 'unsupported-version' : 'malformed',
      };
    }
    const key = await this.keys.find(parts.keyId);
    if (!key) return { status: 'erased', keyId: parts.keyId };
    return openWith(key, parts, field);
  }
}

function isOtherVersion(sealed: string): boolean {
  return /^pd\d+\./.test(sealed) && !sealed.startsWith(`${VERSION}.`);
}

function sealWith(key: PersonKey, field: string, value: string): SealedValue {
  if (key.material.length !== KEY_BYTES) throw new Error('A person key has 32 bytes');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key.material, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(key.keyId, field));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return [
    VERSION,
    key.keyId,
    iv.toString('base64url'),
    ciphertext.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}

function openWith(key: PersonKey, parts: SealedParts, field: string): OpenedValue {
  try {
    const decipher = createDecipheriv(ALGORITHM, key.material, parts.iv, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(associatedData(parts.keyId, field));
    decipher.setAuthTag(parts.tag);
    const value = Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
    return { status: 'plain', value: value.toString('utf8') };
  } catch {
    // GCM refuses a wrong key, field, IV or any flipped bit at final(): nothing is returned.
    return { status: 'unreadable', reason: 'tampered' };
  }
}
