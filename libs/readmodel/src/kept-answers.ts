import { createHash } from 'node:crypto';

export interface KeptAnswer<T> {
  /** Everything the answer was made from; a lookup with another key misses. */
  key: string;
  /** A strong entity tag of the answer, derived from its key. */
  etag: string;
  value: T;
}

/** A strong ETag for an answer made from `key`: the same inputs always give the same tag. */
export function etagOf(key: string): string {
  return `"${createHash('sha1').update(key).digest('base64url')}"`;
}

/** Whether an If-None-Match header names this tag (a list of tags, or `*`). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag);
}

/**
 * Answers kept in memory by slot (for example one post's thread page), each valid only for the
 * key it was made from: a changed read model gives a new key and the old answer is never served.
 * Bounded by a total size; the least recently used answers leave first.
 */
export class KeptAnswers<T> {
  private readonly slots = new Map<string, KeptAnswer<T> & { size: number }>();
  private total = 0;

  constructor(
    private readonly maxSize: number,
    private readonly sizeOf: (value: T) => number,
  ) {}

  get(slot: string, key: string): KeptAnswer<T> | undefined {
    const kept = this.slots.get(slot);
    if (!kept || kept.key !== key) return undefined;
    this.slots.delete(slot);
    this.slots.set(slot, kept);
    return kept;
  }

  set(slot: string, key: string, value: T): KeptAnswer<T> {
    this.delete(slot);
    const size = this.sizeOf(value);
    const kept = { key, etag: etagOf(key), value, size };
    if (size > this.maxSize) return kept;
    this.slots.set(slot, kept);
    this.total += size;
    for (const [oldest, entry] of this.slots) {
      if (this.total <= this.maxSize) break;
      this.slots.delete(oldest);
      this.total -= entry.size;
    }
    return kept;
  }

  delete(slot: string): void {
    const kept = this.slots.get(slot);
    if (!kept) return;
    this.slots.delete(slot);
    this.total -= kept.size;
  }
}
