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
  return NATIVE_WORDPRESS_ID_FLOOR + (hash53(`parley:${parleyId}`) % NATIVE_RANGE);
}

/** The integer id of a category or tag, derived from its name as lists compare it. */
export function wordpressTermIdOf(kind: 'category' | 'tag', key: string): number {
  // Small enough to read as a plain number: 1 to 2^31 - 1.
  return (hash53(`parley:${kind}:${key}`) % 0x7ffffffe) + 1;
}

/**
 * A 53-bit hash of a text (two multiplicative 32-bit lanes, mixed): spread evenly, the same on
 * every machine, and computed here so that the domain needs no platform module.
 */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 0x100000000 * (0x1fffff & h2) + (h1 >>> 0);
}
