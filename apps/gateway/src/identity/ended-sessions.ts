import { Controller, Inject, Injectable } from '@nestjs/common';
import type { EventOf } from '@parley/contracts';
import { OnEvent } from '@parley/messaging';
import { CLOCK, type Clock } from '@parley/platform';

/** Every gateway instance reads the sessions that ended lately (a consumer group of its own). */
export const ENDED_SESSIONS = Symbol('ended-sessions');

export const ENDED_SESSIONS_OPTIONS = Symbol('ENDED_SESSIONS_OPTIONS');

/**
 * How long an ended session is kept: its access tokens' lifetime, and a minute more for clocks
 * a little apart between replicas. A gateway starts reading ended sessions that far back.
 */
export function endedSessionsKeptMs(accessTtlSeconds: number): number {
  return (accessTtlSeconds + 60) * 1000;
}

/**
 * The sessions that ended within the lifetime of an access token: their access tokens are
 * refused. Older ones need no entry, since every access token they issued has expired.
 */
@Injectable()
export class EndedSessions {
  private readonly endedAt = new Map<string, number>();
  private readonly keepMs: number;

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ENDED_SESSIONS_OPTIONS) options: { accessTtlSeconds: number },
  ) {
    this.keepMs = endedSessionsKeptMs(options.accessTtlSeconds);
  }

  end(sessionId: string, at: Date): void {
    const now = this.clock().getTime();
    if (now - at.getTime() > this.keepMs) return;
    this.endedAt.set(sessionId, at.getTime());
    if (this.endedAt.size % 1000 === 0) this.prune(now);
  }

  has(sessionId: string): boolean {
    const at = this.endedAt.get(sessionId);
    if (at === undefined) return false;
    if (this.clock().getTime() - at <= this.keepMs) return true;
    this.endedAt.delete(sessionId);
    return false;
  }

  private prune(now: number): void {
    for (const [id, at] of this.endedAt) if (now - at > this.keepMs) this.endedAt.delete(id);
  }
}

@Controller()
export class EndedSessionsConsumer {
  constructor(private readonly ended: EndedSessions) {}

  @OnEvent('parley.session.ended.v1', ENDED_SESSIONS)
  onEnded(event: EventOf<'parley.session.ended.v1'>): void {
    this.ended.end(event.data.sessionId, new Date(event.data.endedAt));
  }
}
