import { type Document, type DocumentCollection, DuplicateKeyError } from './document-store.port';
import type { ProjectionContext } from './projection';
import { gatherLater } from './settle';

/**
 * One part of a counter: what the messages of one partition moved it by, and the offset of the
 * last of them. A counter is the sum of its parts.
 */
export interface TallyPart extends Document {
  counter: string;
  value: number;
  /** The offset of the last message counted in this part; -1 in a part no message feeds. */
  at: number;
}

/** The index a collection of tally parts needs: a counter's parts, found by the counter. */
export const TALLY_INDEXES = [{ keys: { counter: 1 } }] as const;

/** The part of a counter a projection's events move when they come without a position. */
const UNPLACED = '~';

/**
 * Moves a counter by `delta`, once for the message the projection is applying. A partition's
 * messages reach one consumer of a group in order, so the counter keeps one part per partition
 * with the offset of the last message it counted: a message counted already (a redelivery
 * after a crash, a retry after a later step failed) is not counted again. Counters of a message
 * without a position (a projection applied by hand) are moved without that guard; the
 * projection's own version guard still keeps an event applied twice from counting twice.
 */
export async function tally(
  parts: DocumentCollection<TallyPart>,
  counter: string,
  delta: number,
  context: ProjectionContext | undefined,
): Promise<void> {
  if (delta === 0) return;
  const position = context?.position;
  const at = position ? Number(position.offset) : -1;
  const _id = `${counter}|${position ? `${position.topic}:${position.partition}` : UNPLACED}`;
  // In a replay, nothing reads the counters before the last event: each part's moves are
  // summed in memory, still once per message, and written once at the end.
  if (position && context?.settleLater)
    return gatherLater(
      context.settleLater,
      `tally|${parts.name}|${_id}`,
      () => ({ value: 0, at: -1 }),
      (part) => {
        if (part.at >= at) return;
        part.value += delta;
        part.at = at;
      },
      (part) => movePart(parts, _id, counter, part.value, part.at),
    );
  await movePart(parts, _id, counter, delta, position ? at : undefined);
}

/** Moves one part of a counter, guarded by the offset `at` when it is given. */
async function movePart(
  parts: DocumentCollection<TallyPart>,
  _id: string,
  counter: string,
  delta: number,
  at: number | undefined,
): Promise<void> {
  const guarded = at !== undefined;
  const filter = guarded ? { _id, at: { $lt: at } } : { _id };
  const seed = { $inc: { value: delta }, $set: { counter, at: at ?? -1 } };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // One round trip: the part is moved, or made when it is not there yet.
      await parts.updateOne(filter, seed, { upsert: true });
      return;
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      // The part is there and its guard did not match: it counted this message already. A
      // part without a guard was made meanwhile by another writer: moved again.
      if (guarded) return;
    }
  }
  throw new Error(`Could not move the counter ${parts.name}/${counter}`);
}

/** The counters' values, summed over their parts; a counter never moved is absent. */
export async function tallies(
  parts: DocumentCollection<TallyPart>,
  counters: readonly string[],
): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  if (counters.length === 0) return sums;
  const found = await parts.find(
    counters.length === 1 ? { counter: counters[0] } : { counter: { $in: [...counters] } },
    { fields: ['counter', 'value'] },
  );
  for (const part of found) sums.set(part.counter, (sums.get(part.counter) ?? 0) + part.value);
  return sums;
}
