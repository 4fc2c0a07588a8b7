/** A failure that no retry can fix (bad data, a broken invariant): the message is dead-lettered at once. */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

export type FailureKind = 'permanent' | 'infrastructure' | 'transient';

const INFRASTRUCTURE_NAMES =
  /^(Mongo(Network|ServerSelection|NotConnected|Topology|PoolCleared|NetworkTimeout)\w*Error|KafkaJS(Connection|NumberOfRetriesExceeded|RequestTimeout|BrokerNotFound)\w*Error)$/;
const INFRASTRUCTURE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  infrastructure?: unknown;
  permanent?: unknown;
}

/**
 * Permanent failures are dead-lettered at once; infrastructure outages (database or broker
 * unreachable) are retried until the infrastructure is back, never dead-lettered; anything
 * else is retried a bounded number of times, then dead-lettered.
 */
export function classifyFailure(error: unknown): FailureKind {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const e = current as ErrorLike;
    if (e.permanent === true || e.name === 'PermanentError' || e.name === 'EventSchemaError')
      return 'permanent';
    if (e.infrastructure === true) return 'infrastructure';
    if (typeof e.name === 'string' && INFRASTRUCTURE_NAMES.test(e.name)) return 'infrastructure';
    if (typeof e.code === 'string' && INFRASTRUCTURE_CODES.has(e.code)) return 'infrastructure';
    current = e.cause;
  }
  return 'transient';
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 2000);
  return String(error).slice(0, 2000);
}
