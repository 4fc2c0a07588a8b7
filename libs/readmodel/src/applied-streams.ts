import { eventually } from './versioned';

/** How many streams per projection are remembered; an older one is answered by a read. */
const REMEMBERED_STREAMS = 10_000;

/**
 * How long a read-your-writes wait listens for this process's projection before it reads the
 * documents too, when another replica may hold the stream's partition. While this process
 * holds every partition the signal is sure to come, so the wait only listens, and looks again
 * this often whether it still holds them all (a rebalance may take some away).
 */
export const SIGNAL_FIRST_MS = 25;
export const HOLDING_RECHECK_MS = 250;

interface Waiter {
  stream: string;
  version: number;
  done: (reached: boolean) => void;
}

/**
 * The version of each stream that this process's projections have applied, with waiters
 * for a version to come. A write's answer waits on it instead of reading the documents
 * again and again; where another replica applies the event, nothing is signalled here and
 * the reader falls back to the documents (`reachedStream`).
 */
export class AppliedStreams {
  private readonly versions = new Map<string, Map<string, number>>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly holders = new Map<string, () => boolean>();

  /** Tells how to know whether this process consumes every partition a projection reads. */
  heldBy(projection: string, holdsEverything: () => boolean): void {
    this.holders.set(projection, holdsEverything);
  }

  /** True when every event of the projection's topics is applied in this process. */
  holdsEverything(projection: string): boolean {
    return this.holders.get(projection)?.() ?? false;
  }

  /** Called once a projection has applied (or passed over) a stream's event. */
  record(projection: string, stream: string, version: number): void {
    let versions = this.versions.get(projection);
    if (!versions) this.versions.set(projection, (versions = new Map<string, number>()));
    const known = versions.get(stream) ?? 0;
    if (version <= known) return;
    // Deleted first so that the map's order stays the order of the last write.
    versions.delete(stream);
    versions.set(stream, version);
    if (versions.size > REMEMBERED_STREAMS) {
      const oldest = versions.keys().next().value;
      if (oldest !== undefined) versions.delete(oldest);
    }
    for (const waiter of this.waiters.get(projection) ?? []) {
      if (waiter.stream === stream && waiter.version <= version) waiter.done(true);
    }
  }

  /** The highest version of `stream` applied here, 0 when none is remembered. */
  applied(projection: string, stream: string): number {
    return this.versions.get(projection)?.get(stream) ?? 0;
  }

  /** True once `stream` has reached `version` here; false after `withinMs` or on `abort`. */
  wait(
    projection: string,
    stream: string,
    version: number,
    withinMs: number,
    abort?: AbortSignal,
  ): Promise<boolean> {
    if (this.applied(projection, stream) >= version) return Promise.resolve(true);
    if (abort?.aborted) return Promise.resolve(false);
    let waiters = this.waiters.get(projection);
    if (!waiters) this.waiters.set(projection, (waiters = new Set<Waiter>()));
    const all = waiters;
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        stream,
        version,
        done: (reached) => {
          clearTimeout(timer);
          abort?.removeEventListener('abort', aborted);
          all.delete(waiter);
          resolve(reached);
        },
      };
      const aborted = () => waiter.done(false);
      const timer = setTimeout(aborted, withinMs);
      abort?.addEventListener('abort', aborted, { once: true });
      all.add(waiter);
    });
  }

  /** Waiters still listening, for tests that check nothing is left behind. */
  get listening(): number {
    let count = 0;
    for (const waiters of this.waiters.values()) count += waiters.size;
    return count;
  }
}

export interface ReachedStreamOptions {
  applied: AppliedStreams;
  projection: string;
  stream: string;
  version: number;
  withinMs: number;
  /** One look at the documents: true when they show the version. */
  read: () => Promise<boolean>;
}

/** Why a read-your-writes wait stops its other way of waiting: it is answered. */
const SETTLED = 'settled';

/**
 * Read-your-writes: true once the read model shows `version` of `stream`, within `withinMs`.
 * This process's projection says so by a signal, without a read. When the signal has not
 * come within `SIGNAL_FIRST_MS` and this process does not hold every partition (another
 * replica may apply the event), the documents are read as well, until either answers.
 */
export async function reachedStream(options: ReachedStreamOptions): Promise<boolean> {
  const { applied, projection, stream, version, withinMs } = options;
  const deadline = Date.now() + withinMs;
  const stop = new AbortController();
  const bySignal = applied.wait(projection, stream, version, withinMs, stop.signal);
  const pause = (ms: number) =>
    new Promise<false>((resolve) => setTimeout(() => resolve(false), Math.max(0, ms)).unref());
  const byRead = (async () => {
    let listened = await Promise.race([bySignal, pause(SIGNAL_FIRST_MS)]);
    while (
      !listened &&
      !stop.signal.aborted &&
      Date.now() < deadline &&
      applied.holdsEverything(projection)
    )
      listened = await Promise.race([
        bySignal,
        pause(Math.min(HOLDING_RECHECK_MS, deadline - Date.now())),
      ]);
    if (listened || stop.signal.aborted) return listened;
    return eventually(options.read, deadline - Date.now(), stop.signal);
  })();
  try {
    return await Promise.race([
      bySignal.then((reached) => reached || byRead),
      byRead.then((reached) => reached || bySignal),
    ]);
  } finally {
    // A reason of its own: without one, each write would build (and capture the stack of) an AbortError.
    stop.abort(SETTLED);
  }
}
