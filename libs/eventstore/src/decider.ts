import type { DomainEvent } from '@parley/contracts';

/** A rule the domain refuses to break, as a value: a stable code and a message for people. */
export interface DomainError<C extends string = string> {
  readonly kind: 'domain-error';
  readonly code: C;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export function domainError<C extends string>(
  code: C,
  message: string,
  details?: Record<string, unknown>,
): DomainError<C> {
  return details
    ? { kind: 'domain-error', code, message, details }
    : { kind: 'domain-error', code, message };
}

export function isDomainError(value: unknown): value is DomainError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'domain-error'
  );
}

/** What `decide` returns: the new events (none when the outcome is already there), or why not. */
export type Decision<E extends DomainEvent, Err extends DomainError = DomainError> =
  readonly E[] | Err;

/**
 * An aggregate as plain functions: events folded by `evolve` give the state, and
 * `decide` turns a command and that state into new events or a domain error.
 * Time, ids and lookups come in as arguments; nothing here touches Nest, Mongo or Kafka.
 */
export interface Decider<S, C, E extends DomainEvent, Err extends DomainError = DomainError> {
  readonly initialState: S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S, now: Date): Decision<E, Err>;
}

export function fold<S, E extends DomainEvent>(
  decider: Pick<Decider<S, unknown, E, DomainError>, 'initialState' | 'evolve'>,
  events: readonly E[],
): S {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState);
}

/** Ends a `switch` over a union: a new member that is not handled is a compile error. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
