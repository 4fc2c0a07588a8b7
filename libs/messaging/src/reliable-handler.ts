import { dlqOf } from '@parley/contracts';
import type { Logger } from 'pino';
import { classifyFailure, describeError } from './errors';
import type { IncomingMessage, MessageHandler, MessagePublisher } from './message';
import { backoffMs, sleep } from './retry';

export interface ReliabilityOptions {
  groupId: string;
  publisher: MessagePublisher;
  /** Attempts for a failure that is neither permanent nor an outage; then the message is dead-lettered. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  logger?: Logger;
  onDeadLetter?: (message: IncomingMessage, error: unknown, attempts: number) => void;
}

export const DLQ_HEADERS = {
  error: 'x-dlq-error',
  attempts: 'x-dlq-attempts',
  sourceTopic: 'x-dlq-source-topic',
  sourcePartition: 'x-dlq-source-partition',
  sourceOffset: 'x-dlq-source-offset',
  group: 'x-dlq-consumer-group',
} as const;

/**
 * Wraps a handler with the platform's failure rules: bounded retries with exponential
 * backoff, then `<topic>.dlq` with the error and the attempt count, so a poison message
 * never blocks its partition. Outages are handed back to the consumer, which waits them out.
 */
export function reliable(handler: MessageHandler, options: ReliabilityOptions): MessageHandler {
  const maxAttempts = options.maxAttempts ?? 5;
  return async (message) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(message);
        return;
      } catch (error) {
        const kind = classifyFailure(error);
        if (kind === 'infrastructure') throw error;
        const log = options.logger?.child({
          groupId: options.groupId,
          topic: message.topic,
          offset: message.offset,
          attempt,
        });
        if (kind === 'permanent' || attempt >= maxAttempts) {
          await options.publisher.publish([
            {
              topic: dlqOf(message.topic),
              messages: [
                {
                  key: message.key ?? '',
                  value: message.value,
                  headers: {
                    ...message.headers,
                    [DLQ_HEADERS.error]: describeError(error),
                    [DLQ_HEADERS.attempts]: String(attempt),
                    [DLQ_HEADERS.sourceTopic]: message.topic,
                    [DLQ_HEADERS.sourcePartition]: String(message.partition),
                    [DLQ_HEADERS.sourceOffset]: message.offset,
                    [DLQ_HEADERS.group]: options.groupId,
                  },
                },
              ],
            },
          ]);
          log?.error({ err: error, kind }, 'message dead-lettered');
          options.onDeadLetter?.(message, error, attempt);
          return;
        }
        log?.warn({ err: error }, 'message handler failed; retrying');
        await sleep(backoffMs(attempt, options.baseDelayMs ?? 100, options.maxDelayMs ?? 2_000));
      }
    }
  };
}
