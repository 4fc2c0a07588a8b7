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
