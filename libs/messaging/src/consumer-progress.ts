import type { MessageBus, MessageHandler } from './message';

/**
 * How far one consumer group has handled its topics, to wait on. `caughtUp` resolves once
 * the group has handled every message that was on its topics when it was called: the
 * partitions this process consumes tell each message they finish (a signal), the others
 * (another replica's) are read from the group's committed offsets, polled.
 */
export class ConsumerProgress {
  private readonly handled = new Map<string, bigint>();
  private waiters = new Set<() => void>();

  constructor(
    private readonly bus: MessageBus,
    readonly groupId: string,
    readonly topics: readonly string[],
  ) {}

  /** The handler, reporting here each message it has finished with. */
  track(handler: MessageHandler): MessageHandler {
    return async (message) => {
      await handler(message);
      const key = `${message.topic}:${message.partition}`;
      const next = BigInt(message.offset) + 1n;
      if ((this.handled.get(key) ?? -1n) < next) this.handled.set(key, next);
      const waiters = this.waiters;
      this.waiters = new Set();
      for (const wake of waiters) wake();
    };
  }

  /**
   * Waits, at most `withinMs`, until the group has handled everything its topics held at the
   * call: true when it has, false when time ran out or the broker could not tell.
   */
  async caughtUp(withinMs: number): Promise<boolean> {
    const deadline = Date.now() + withinMs;
    try {
      const targets = new Map<string, bigint>();
      for (const topic of this.topics)
        for (const { partition, high } of await this.bus.topicOffsets(topic))
          if (BigInt(high) > 0n) targets.set(`${topic}:${partition}`, BigInt(high));
      let nextPoll = 0;
      for (let pollMs = 10; ;) {
        for (const [key, high] of targets)
          if ((this.handled.get(key) ?? -1n) >= high) targets.delete(key);
        if (targets.size === 0) return true;
        if (Date.now() >= nextPoll) {
          await this.dropCommitted(targets);
          nextPoll = Date.now() + pollMs;
          pollMs = Math.min(pollMs * 2, 200);
          continue;
        }
        const left = deadline - Date.now();
        if (left <= 0) return false;
        await this.nextHandled(Math.min(left, nextPoll - Date.now()));
      }
    } catch {
      return false;
    }
  }

  /** Drops the targets the group's committed offsets reach already. */
  private async dropCommitted(targets: Map<string, bigint>): Promise<void> {
    const topics = new Set([...targets.keys()].map((key) => key.slice(0, key.lastIndexOf(':'))));
    for (const topic of topics) {
      for (const { partition, high } of await this.bus.groupOffsets(this.groupId, topic)) {
        const key = `${topic}:${partition}`;
        const target = targets.get(key);
        if (target !== undefined && BigInt(high) >= target) targets.delete(key);
      }
    }
  }

  private nextHandled(withinMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, withinMs));
      this.waiters.add(done);
    });
  }
}
