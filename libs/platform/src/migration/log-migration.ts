import type { AnyEvent, EventData, EventOf, EventType } from '@parley/contracts';
import {
  type CopyableEventLog,
  type EventRewrite,
  type LogCopySummary,
  copyEventLog,
} from '@parley/eventstore';
import {
  EmbeddedPersonKeyStore,
  type PersonKeyStore,
  PersonalDataCipher,
  type TransferablePersonKeys,
} from '@parley/privacy';

/** What a resealer is given beside its event. */
export interface ResealContext {
  /** Seals under the keys of the new log's store, which makes a person's key on first use. */
  readonly cipher: PersonalDataCipher;
  readonly keys: PersonKeyStore;
  /**
   * Seals under a key that is kept nowhere: for the data of a person erased while their data
   * was still in plaintext, which must read as erased in the new log.
   */
  readonly shredder: PersonalDataCipher;
  /** Every event of the event's stream, upcast: who wrote it, whether they were erased since. */
  readonly stream: readonly AnyEvent[];
}

/**
 * Turns an event's legacy plaintext personal data into sealed values (the sealing its decider
 * does now): the data to write, and how many fields it sealed. Pure but for the keys.
 */
export type Resealer<T extends EventType> = (
  event: EventOf<T>,
  context: ResealContext,
) => Promise<{ data: EventData<T>; sealed: number }>;

/** A service's resealers by event type (its newest version); other events are copied unchanged. */
export type Resealers = { readonly [T in EventType]?: Resealer<T> };

/** Each service's resealers, by service name: what a migration of its log applies. */
export class ResealerRegistry {
  private readonly services = new Map<string, Resealers>();

  /** Adds a service (with no resealers, its log is copied as it is). */
  add(service: string, resealers: Resealers = {}): this {
    if (this.services.has(service)) throw new Error(`${service}'s resealers are registered twice`);
    this.services.set(service, resealers);
    return this;
  }

  get names(): string[] {
    return [...this.services.keys()];
  }

  has(service: string): boolean {
    return this.services.has(service);
  }

  of(service: string): Resealers {
    const resealers = this.services.get(service);
    if (!resealers) throw new Error(`no service ${service} in the registry`);
    return resealers;
  }
}

type AnyResealer = (
  event: AnyEvent,
  context: ResealContext,
) => Promise<{ data: AnyEvent['data']; sealed: number }>;

/** The rewrite of a copy that applies the resealers, sealing with the given key store. */
export function resealing(
  resealers: Resealers,
  keys: PersonKeyStore,
  shredder: PersonKeyStore,
): EventRewrite {
  const cipher = new PersonalDataCipher(keys);
  const shredding = new PersonalDataCipher(shredder);
  return async (event, stream) => {
    const reseal = resealers[event.type] as AnyResealer | undefined;
    if (!reseal) return { event, sealed: 0 };
    const { data, sealed } = await reseal(event, { cipher, keys, shredder: shredding, stream });
    return { event: { ...event, data } as AnyEvent, sealed };
  };
}

/** One side of a migration: a service's event log and its person keys. */
export interface ServiceLog {
  readonly log: CopyableEventLog;
  readonly keys: PersonKeyStore & TransferablePersonKeys;
}

export interface LogMigrationSummary extends LogCopySummary {
  service: string;
  /** Person keys copied into the new store by this run. */
  keys: number;
}

/**
 * Copies a service's log into a new store with its personal data sealed: its person keys first
 * (what is already sealed keeps opening there), then every commit, resealed.
 */
export async function migrateServiceLog(options: {
  service: string;
  resealers: Resealers;
  from: ServiceLog;
  to: ServiceLog;
  onCommit?: (done: number, total: number) => void;
}): Promise<LogMigrationSummary> {
  const { from, to } = options;
  let keys = 0;
  for (const entry of await from.keys.allKeys())
    if ((await to.keys.adopt(entry)) === 'added') keys += 1;
  // Its keys are dropped with it: nothing sealed with them ever opens.
  const shredder = await EmbeddedPersonKeyStore.open();
  const summary = await copyEventLog({
    from: from.log,
    to: to.log,
    rewrite: resealing(options.resealers, to.keys, shredder),
    ...(options.onCommit ? { onCommit: options.onCommit } : {}),
  });
  return { service: options.service, keys, ...summary };
}

/** One line of a migration's summary, for the operator. */
export function describeMigration(summary: LogMigrationSummary): string {
  return (
    `${summary.service}: ${summary.streams} streams, ${summary.commits} commits, ${summary.events} events; ` +
    `${summary.written} commits written now (${summary.commits - summary.written} there already), ` +
    `${summary.sealed} personal data fields sealed, ${summary.keys} person keys copied`
  );
}
