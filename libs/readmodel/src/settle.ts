import { DuplicateKeyError } from './document-store.port';
import type { ProjectionContext } from './projection';

/**
 * Work that sets a figure from the documents as they stand (a count, a listing), by key. A
 * replay (a rebuild) gathers it: the same key's work runs once, after the replay's last event,
 * instead of after each of the events that changed what it measures.
 */
export class SettledLater {
  private readonly pending = new Map<string, () => Promise<void>>();

  /** Keeps the work of a key; a later one of the same key stands in for it. */
  readonly add = (key: string, work: () => Promise<void>): void => {
    this.pending.delete(key);
    this.pending.set(key, work);
  };

  get size(): number {
    return this.pending.size;
  }

  /** Runs the gathered work, one key after another, until none is left. */
  async run(): Promise<number> {
    let ran = 0;
    for (const [key, work] of this.pending) {
      this.pending.delete(key);
      await work();
      ran += 1;
    }
    return ran;
  }
}

/**
 * Sets a figure that depends on many streams: at once when the projection runs live, or once
 * at the end of a replay whose context gathers such work (`settleLater`). Only a figure that
 * nothing in the projection reads back while applying may be settled so.
 */
export async function settle(
  context: ProjectionContext | undefined,
  key: string,
  work: () => Promise<void>,
): Promise<void> {
  if (context?.settleLater) context.settleLater(key, work);
  else await work();
}

/** The values a replay gathers, by the replay (its `settleLater`) and their key. */
const gathered = new WeakMap<object, Map<string, unknown>>();

/**
 * In a replay (a rebuild), folds each event's share of a document into a value kept in memory
 * by `key`, and writes the value once, after the last event, instead of writing the document at
 * each event. `fold` is given the value made by `initial` the first time, and the same value at
 * each later event of the replay. Only a document nothing in the projection reads back while
 * applying may be gathered so.
 */
export function gatherLater<V>(
  settleLater: NonNullable<ProjectionContext['settleLater']>,
  key: string,
  initial: () => V,
  fold: (value: V) => void,
  write: (value: V) => Promise<void>,
): void {
  let values = gathered.get(settleLater);
  if (!values) {
    values = new Map<string, unknown>();
    gathered.set(settleLater, values);
  }
  let value = values.get(key) as V | undefined;
  if (value === undefined) {
    const made = initial();
    value = made;
    values.set(key, made);
    settleLater(key, () => write(made));
  }
  fold(value);
}

/**
 * Writes a figure measured from the documents of many streams (a listing, a list of names). A
 * measure racing another one may write an older figure, so it measures again after writing and
 * writes again until the figure holds: the last writer always wrote what it last saw. A write
 * that lost a race to insert the figure's document did not happen: it is written again.
 */
export async function writeUntilSettled<F>(
  what: string,
  measure: () => Promise<F>,
  write: (figure: F) => Promise<unknown>,
): Promise<void> {
  let figure = await measure();
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      await write(figure);
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      continue;
    }
    const again = await measure();
    if (JSON.stringify(again) === JSON.stringify(figure)) return;
    figure = again;
  }
  throw new Error(`${what} keeps changing`);
}
