import { type AnyEvent, type DomainEvent, isPrivateEventType } from '@parley/contracts';
import { type Decider, type DomainError, fold, isDomainError } from './decider';
import { type AppendContext, ConcurrencyError, type EventStore } from './event-store.port';

export interface HandleOptions {
  /** How often to reload and decide again when another writer got there first; 0 fails at once. */
  retriesOnConflict?: number;
  now?: () => Date;
  /**
   * The stream is new (its id was just made): it is decided on the initial state and
   * appended at version 0 without being read; an existing stream fails the append.
   */
  newStream?: boolean;
}

export type CommandOutcome<S, Err extends DomainError> =
  | {
      ok: true;
      /** The events this command appended; empty when its outcome was already there. */
      events: AnyEvent[];
      state: S;
      version: number;
      /**
       * The stream version the read models reach with this command: that of its last published
       * event. A private event (kept in the store, never published) is seen by no projection, so
       * waiting for its version would wait in vain.
       */
      projectedVersion: number;
    }
  | { ok: false; error: Err };

/**
 * A stream as its decider sees it: read and folded. The one place where a stream's stored
 * events are taken as the events of the decider that wrote them (a stream has one writer).
 */
export async function loadStream<S, E extends DomainEvent>(
  store: EventStore,
  decider: Pick<Decider<S, unknown, E, DomainError>, 'initialState' | 'evolve'>,
  streamId: string,
): Promise<{ state: S; version: number }> {
  const stream = await store.readStream(streamId);
  return { state: fold(decider, stream.events as unknown as E[]), version: stream.version };
}

/** The current state of a stream, folded by its decider. */
export async function loadState<S, E extends DomainEvent>(
  store: EventStore,
  decider: Pick<Decider<S, unknown, E, DomainError>, 'initialState' | 'evolve'>,
  streamId: string,
): Promise<S> {
  return (await loadStream(store, decider, streamId)).state;
}

export interface KeptStreamOptions {
  /**
   * For how long a state read from the store is served again without asking it (0: every use
   * asks): changes written through other processes reach this one within that time, changes
   * this process writes and `remember`s at once.
   */
  freshForMs?: number;
  /** A monotonic clock in milliseconds. */
  now?: () => number;
}

/**
 * A stream's state kept by a process that reads it often (the blog's comment settings): a read
 * asks the store only for the events after the version it holds and folds them in, uses that
 * overlap share one such read, and within `freshForMs` of the last read none is made.
 */
export class KeptStreamState<S, E extends DomainEvent> {
  private kept: { state: S; version: number } | undefined;
  /** When the last read from the store began. */
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<{ state: S; version: number }> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly decider: Pick<Decider<S, unknown, E, DomainError>, 'initialState' | 'evolve'>,
    private readonly streamId: string,
    private readonly options: KeptStreamOptions = {},
  ) {}

  async current(): Promise<{ state: S; version: number }> {
    const now = (this.options.now ?? performance.now.bind(performance))();
    if (this.kept && now - this.readAt < (this.options.freshForMs ?? 0)) return this.kept;
    this.reading ??= this.read(now).finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** What this process just appended: served from now on, without waiting for a read. */
  remember(state: S, version: number): void {
    if (!this.kept || this.kept.version < version) this.kept = { state, version };
  }

  private async read(startedAt: number): Promise<{ state: S; version: number }> {
    const base = this.kept ?? { state: this.decider.initialState, version: 0 };
    const news = await this.store.readStream(this.streamId, base.version);
    // A stream never goes back; one that did (a copied log) is read whole again.
    if (news.version < base.version) {
      this.kept = undefined;
      return this.read(startedAt);
    }
    this.readAt = startedAt;
    this.kept ??= base;
    if (news.version > base.version)
      this.remember(
        (news.events as unknown as E[]).reduce(
          (state, event) => this.decider.evolve(state, event),
          base.state,
        ),
        news.version,
      );
    // What this process remembered meanwhile may be newer than what the read found.
    return this.kept;
  }
}

/**
 * Loads a stream, folds it with `evolve`, lets `decide` answer the command and appends
 * what it decided. A ConcurrencyError is retried from the start when the caller allows it,
 * otherwise it propagates (and the edge answers 409).
 */
export async function handleCommand<S, C, E extends DomainEvent, Err extends DomainError>(
  store: EventStore,
  decider: Decider<S, C, E, Err>,
  streamId: string,
  command: C,
  context: AppendContext,
  options: HandleOptions = {},
): Promise<CommandOutcome<S, Err>> {
  const retries = options.retriesOnConflict ?? 3;
  const now = options.now ?? (() => new Date());
  for (let attempt = 0; ; attempt++) {
    const { state, version } =
      options.newStream && attempt === 0
        ? { state: decider.initialState, version: 0 }
        : await loadStream(store, decider, streamId);
    const decision = decider.decide(command, state, now());
    if (isDomainError(decision)) return { ok: false, error: decision };
    const events = decision;
    if (events.length === 0)
      return { ok: true, events: [], state, version, projectedVersion: version };
    try {
      const appended = await store.append(streamId, version, events, context);
      const after = events.reduce((s, e) => decider.evolve(s, e), state);
      const published = appended.events.filter((e) => !isPrivateEventType(e.type));
      return {
        ok: true,
        events: appended.events,
        state: after,
        version: appended.version,
        projectedVersion: published.at(-1)?.streamVersion ?? version,
      };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= retries) throw error;
    }
  }
}
