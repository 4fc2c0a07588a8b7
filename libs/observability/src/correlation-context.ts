import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** Ids that follow one piece of work through HTTP calls, Kafka headers and consumers. */
export interface Correlation {
  correlationId: string;
  /** Id of the message or request that caused the current work, when known. */
  causationId?: string;
}

const storage = new AsyncLocalStorage<Correlation>();

export function runWithCorrelation<T>(correlation: Correlation, work: () => T): T {
  return storage.run(correlation, work);
}

export function currentCorrelation(): Correlation | undefined {
  return storage.getStore();
}

export function newCorrelationId(): string {
  return randomUUID();
}

const VALID_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Accepts a caller's correlation id only when it is a sane token; otherwise makes a new one. */
export function correlationIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && VALID_ID.test(value) ? value : newCorrelationId();
}

export const CORRELATION_HEADER = 'x-correlation-id';
