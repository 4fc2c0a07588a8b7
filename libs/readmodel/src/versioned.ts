import type { AnyEvent } from '@parley/contracts';
import { type Document, type DocumentCollection, DuplicateKeyError } from './document-store.port';
import { writeOneAtATime } from './one-at-a-time';

/** A read-model document owned by one stream: `_v` is the version of the last event applied. */
export interface Versioned extends Document {
  _v: number;
}

export type Evolve<T extends Versioned> = (current: T | null) => Omit<T, '_v'> | null;

/**
 * Applies one event to the document its stream owns, exactly once: an event at or below
 * the document's version (a redelivery, a replay) changes nothing. `evolve` returns the
 * next document, or null to leave it as it is. Documents are never removed here (a
 * deletion is a flag), so their version survives and an old event cannot bring them back.
 *
 * `beforeWrite` sees the document as it is and as it will be, once, before the write: what
 * it moves elsewhere (a counter, by `tally`) is moved before the event counts as applied, so a
 * retry after a crash in between moves it again, where a guard of its own keeps it once.
 */
export async function applyToOwnedDocument<T extends Versioned>(
  collection: DocumentCollection<T>,
  id: string,
  event: Pick<AnyEvent, 'streamVersion'>,
  evolve: Evolve<T>,
  beforeWrite?: (current: T | null, next: Omit<T, '_v'> | null) => Promise<void>,
): Promise<'applied' | 'skipped'> {
  // Each write is queued behind the other writes of the document in this process (an author's
  // new name written over all their documents, say): FerretDB would lose one of the two.
  const write = <R>(change: () => Promise<R>) => writeOneAtATime(collection, id, change);
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await collection.findOne({ _id: id });
    if (current && current._v >= event.streamVersion) return 'skipped';
    const next = evolve(current);
    if (attempt === 0) await beforeWrite?.(current, next);
    if (next === null) {
      if (!current) return 'skipped';
      // Nothing to change, but the version moves on so the event counts as applied.
      if (
        (await write(() =>
          collection.updateOne({ _id: id, _v: current._v }, { $set: { _v: event.streamVersion } }),
        )) === 1
      )
        return 'applied';
      continue;
    }
    const doc = { ...next, _id: id, _v: event.streamVersion } as T;
    if (current) {
      if ((await write(() => collection.replaceOne({ _id: id, _v: current._v }, doc))) === 1)
        return 'applied';
      continue;
    }
    try {
      await write(() => collection.insertOne(doc));
      return 'applied';
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
    }
  }
  throw new Error(
    `Could not apply version ${event.streamVersion} to ${collection.name}/${id}: it keeps changing`,
  );
}

/**
 * Asks `holds` again, quickly at first, until it answers true or `withinMs` has passed (or
 * `abort` fires: false).
 */
export async function eventually(
  holds: () => Promise<boolean>,
  withinMs: number,
  abort?: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (let pause = 2; ; pause = Math.min(pause * 2, 25)) {
    if (abort?.aborted) return false;
    if (await holds()) return true;
    if (Date.now() + pause > deadline || abort?.aborted) return false;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
