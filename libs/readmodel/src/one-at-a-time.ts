import type { Document, DocumentCollection, Filter, Update } from './document-store.port';

/** The writes still in flight, per document: each waits for the one before it. */
const inFlight = new Map<string, Promise<unknown>>();

/**
 * Runs the writes of one document one after another in this process. Events of several
 * streams (so of several partitions, consumed concurrently) touch the same document, and the
 * Mongo-compatible server of the tests (FerretDB) loses concurrent updates of one document
 * without an error: it rewrites the whole document it read (11 of 40 concurrent `$max` fields
 * survived there, and a `$set` of one field can undo another's), where MongoDB applies each
 * update atomically. `key` names the document: its collection and id.
 */
export function oneAtATime<T>(key: string, write: () => Promise<T>): Promise<T> {
  const next = (inFlight.get(key) ?? Promise.resolve()).catch(() => undefined).then(write);
  inFlight.set(key, next);
  const forget = () => {
    if (inFlight.get(key) === next) inFlight.delete(key);
  };
  next.then(forget, forget);
  return next;
}

/** Writes one document of a collection, queued behind the other writes of it in this process. */
export function writeOneAtATime<R>(
  collection: { readonly name: string },
  id: string,
  write: () => Promise<R>,
): Promise<R> {
  return oneAtATime(`${collection.name}|${id}`, write);
}

/**
 * Updates every document the filter matches, each in a write of its own queued behind the
 * other writes of that document (`writeOneAtATime`). A name changed on all of an author's
 * documents at once is otherwise written over the event of one of them being applied at the
 * same moment (from another partition), and that event is lost on FerretDB. Returns how many
 * documents were updated.
 */
export async function updateEach<T extends Document>(
  collection: DocumentCollection<T>,
  filter: Filter,
  update: Update,
): Promise<number> {
  let updated = 0;
  for (const { _id } of await collection.find(filter, { fields: ['_id'] }))
    updated += await writeOneAtATime(collection, _id, () =>
      collection.updateOne({ ...filter, _id }, update),
    );
  return updated;
}
