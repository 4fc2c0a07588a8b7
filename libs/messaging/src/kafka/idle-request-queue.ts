/** What a kafkajs connection's request queue holds, as far as its pending check goes. */
interface RequestQueueInternals {
  pending: unknown[];
  /** When client-side throttling ends, in ms since the epoch; -1 when never throttled. */
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** How often kafkajs looks at requests held back by the in-flight limit. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

let quieted = false;

/**
 * kafkajs 2.2.4 re-arms a timer of about a millisecond after every check of a connection's
 * pending requests, whether any request is pending or not (tulios/kafkajs#1556, #1704): each
 * idle connection woke its process up some thousand times a second, and a service with a
 * producer and a few consumer groups spent a tenth of a core doing nothing. The check is
 * scheduled here only while a request waits; a new one that cannot go at once is queued
 * through `push`, which schedules the check itself, and an answer checks the queue too.
 */
export function quietIdleKafkaConnections(): void {
  if (quieted) return;
  quieted = true;
  // The queue is internal to kafkajs: reached by its path in the package, which pins 2.2.x.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RequestQueue = require('kafkajs/src/network/requestQueue') as {
    prototype: RequestQueueInternals;
  };
  RequestQueue.prototype.scheduleCheckPendingRequests = function schedule(
    this: RequestQueueInternals,
  ) {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS,
    );
  };
}
