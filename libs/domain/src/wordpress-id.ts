import { createHash } from 'node:crypto';
import type { ImportedFrom } from '@parley/contracts';

/**
 * Integer ids from here up are Parley's own; below it, an imported post's or comment's
 * WordPress id (WordPress counts from 1 and no blog reaches 2^50).
 */
export const NATIVE_WORDPRESS_ID_FLOOR = 2 ** 50;
const NATIVE_RANGE = Number.MAX_SAFE_INTEGER - NATIVE_WORDPRESS_ID_FLOOR + 1;

/**
 * The integer id WordPress clients know a post or comment by: its id on the blog it was
 * imported from, else one derived from its Parley id alone, so that every stack and every
 * rebuild of the read models gives the same.
 */
export function wordpressIdOf(parleyId: string, imported?: ImportedFrom): number {
  if (imported && /^\d{1,16}$/.test(imported.id)) {
    const id = Number(imported.id);
    if (id >= 1 && id < NATIVE_WORDPRESS_ID_FLOOR) return id;
  }
  const digest = createHash('sha256').update(`parley:${parleyId}`).digest();
  // 53 bits of the digest, folded into the native range.
  const high = digest.readUInt32BE(0) & 0x1fffff;
  const low = digest.readUInt32BE(4);
  return NATIVE_WORDPRESS_ID_FLOOR + ((high * 2 ** 32 + low) % NATIVE_RANGE);
}

/** The integer id of a category or tag, derived from its name as lists compare it. */
export function wordpressTermIdOf(kind: 'category' | 'tag', key: string): number {
  const digest = createHash('sha256').update(`parley:${kind}:${key}`).digest();
  // Small enough to read as a plain number: 1 to 2^31 - 1.
  return (digest.readUInt32BE(0) % 0x7ffffffe) + 1;
}
