import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { AnyEvent } from '@parley/contracts';
import {
  SpanKind,
  contextFromTraceparent,
  inSpan,
  runWithCorrelation,
} from '@parley/observability';
import type { Logger } from 'pino';
import { lastValueFrom } from 'rxjs';
import { decodeEvent } from '../event-codec';
import type { IncomingMessage, MessageBus, MessageConsumer } from '../message';
import { reliable } from '../reliable-handler';

export interface EventConsumerOptions {
  /** The group's handlers: `@OnEvent(type, GROUP)` with this symbol. */
  transportId: symbol;
  groupId: string;
  topics: string[];
  bus: MessageBus;
  fromBeginning?: boolean;
  /** Instead: a new group starts at the first message written at or after this time. */
  fromTime?: Date;
  concurrency?: number;
  maxAttempts?: number;
  volatileOffsets?: boolean;
  logger?: Logger;
  onDeadLetter?: (message: IncomingMessage, error: unknown) => void;
  onHandled?: (event: AnyEvent, ms: number, message: IncomingMessage) => void;
}

/** What a handler receives besides the event: where it came from. */
export class EventContext {
  constructor(readonly message: IncomingMessage) {}
}

/**
 * A Nest microservice transport over a consumer group of the message bus. Handlers are
 * declared the Nest way (`@EventPattern` / `@OnEvent`) and receive the validated,
 * upcast event. Delivery is at least once; an offset is committed after every handler
 * of the event has resolved; failures are retried and dead-lettered (see `reliable`).
 */
export class EventBusServer extends Server implements CustomTransportStrategy {
  override readonly propagatesEventHandlerErrors = true;
  private consumer: MessageConsumer | undefined;
  /** Handlers by event type: Nest's lookup JSON-parses the pattern, which throws for a plain type. */
  private readonly handlers = new Map<string, ReturnType<Server['getHandlerByPattern']>>();

  constructor(private readonly options: EventConsumerOptions) {
    super();
    this.transportId = options.transportId;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    const handler = reliable((message) => this.dispatch(message), {
      groupId: this.options.groupId,
      publisher: this.options.bus.publisher(),
      ...(this.options.maxAttempts !== undefined ? { maxAttempts: this.options.maxAttempts } : {}),
      ...(this.options.logger ? { logger: this.options.logger } : {}),
      ...(this.options.onDeadLetter ? { onDeadLetter: this.options.onDeadLetter } : {}),
    });
    this.consumer = this.options.bus.consumer({
      groupId: this.options.groupId,
      topics: this.options.topics,
      fromBeginning: this.options.fromBeginning ?? true,
      ...(this.options.fromTime ? { fromTime: this.options.fromTime } : {}),
      handler,
      ...(this.options.concurrency !== undefined ? { concurrency: this.options.concurrency } : {}),
      ...(this.options.volatileOffsets !== undefined
        ? { volatileOffsets: this.options.volatileOffsets }
        : {}),
    });
    try {
      await this.consumer.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Finishes the events in hand, commits and leaves the group. */
  async close(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  on(): void {
    // The bus reports nothing through Nest's status events.
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async dispatch(message: IncomingMessage): Promise<void> {
    const event = decodeEvent(message);
    let handler = this.handlers.get(event.type);
    if (!this.handlers.has(event.type)) {
      handler = this.getHandlerByPattern(event.type);
      this.handlers.set(event.type, handler);
    }
    if (!handler) return;
    const started = performance.now();
    await runWithCorrelation({ correlationId: event.correlationId, causationId: event.id }, () =>
      inSpan(
        `process ${event.type}`,
        SpanKind.CONSUMER,
        contextFromTraceparent(event.traceparent),
        {
          'messaging.destination.name': message.topic,
          'messaging.consumer.group.name': this.options.groupId,
        },
        async () => {
          const result: unknown = await handler(event, new EventContext(message));
          await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        },
      ),
    );
    this.options.onHandled?.(event, performance.now() - started, message);
  }
}
