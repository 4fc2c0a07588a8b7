import { EventPattern } from '@nestjs/microservices';
import type { EventOf, EventType } from '@parley/contracts';

/**
 * `@EventPattern` with the payload typed by the event type:
 *
 *   @OnEvent('parley.comment.posted.v3', THREAD)
 *   async onPosted(event: EventOf<'parley.comment.posted.v3'>) { … }
 */
export function OnEvent<T extends EventType>(type: T, group: symbol) {
  const decorator: MethodDecorator = EventPattern<string>(type, group);
  return decorator as <M extends (event: EventOf<T>, ...rest: never[]) => unknown>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ) => void;
}
