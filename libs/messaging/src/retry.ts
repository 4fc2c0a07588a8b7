import type { Logger } from 'pino';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Exponential backoff with full jitter. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * Calls a message handler until it resolves, pausing between attempts, for as long as
 * the consumer runs. Returns false if the consumer stopped first. (The reliable handler
 * above it decides what is retried and what goes to the dead-letter topic; a rejection
 * that reaches this point means the infrastructure itself is unavailable.)
 */
export async function retryUntilStopped(
  attempt: () => Promise<void>,
  running: () => boolean,
  logger?: Logger,
): Promise<boolean> {
  for (let n = 1; ; n++) {
    try {
      await attempt();
      return true;
    } catch (error) {
      if (!running()) return false;
      if (n === 1 || n % 20 === 0)
        logger?.warn({ err: error, attempt: n }, 'message handler failed; retrying');
      await sleep(backoffMs(n, 100, 5_000));
      if (!running()) return false;
    }
  }
}
