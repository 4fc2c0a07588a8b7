import type { LiveComment, LiveCommentApproved, LiveNotification } from '@parley/contracts';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ProblemException } from '@parley/platform';
import type { FastifyReply } from 'fastify';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { IDENTITIES_PER_ADDRESS } from '../http/rate-limits';

interface Framed<Type extends string, Data> {
  /** Sent as the SSE id, so a reconnecting client can say where it stopped. */
  id: string;
  type: Type;
  data: Data;
}

/** What the live streams carry, by SSE event name. */
export type LiveEvent =
  | Framed<'comment', LiveComment>
  | Framed<'comment-approved', LiveCommentApproved>
  | Framed<'notification', LiveNotification>;

interface Subscriber {
  reply: FastifyReply;
  heartbeat: NodeJS.Timeout;
}

const HEARTBEAT_MS = 15_000;
const DEFAULT_STREAMS_PER_CLIENT = 10;

/** Who opens a stream: the address it comes from, and the account when logged in. */
export interface StreamClient {
  ip: string;
  accountId: string | null;
}

export function formatEvent(event: LiveEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/**
 * Server-sent event streams of this gateway instance, by channel (`post:<id>`,
 * `account:<id>`). Heartbeats keep proxies from closing idle streams; at shutdown every
 * stream is ended so the process can stop within its grace period.
 */
@Injectable()
export class LiveHub implements OnModuleDestroy {
  private readonly channels = new Map<string, Set<Subscriber>>();
  /** Open streams per client key (`account:…`, `ip:…`, `address:…`). */
  private readonly held = new Map<string, number>();
  private readonly perClient: number;

  constructor(@Inject(GATEWAY_OPTIONS) options: GatewayOptions) {
    this.perClient = options.liveStreams?.perClient ?? DEFAULT_STREAMS_PER_CLIENT;
  }

  /**
   * Takes over the reply and keeps it open as an event stream until the client leaves. A
   * client past its share of streams (per identity, and a few identities' worth per address,
   * as the rate limits count) is refused with 429 before anything is written.
   */
  open(
    channel: string,
    reply: FastifyReply,
    client: StreamClient,
    backlog: LiveEvent[] = [],
  ): void {
    const limits: [string, number][] = [
      [client.accountId ? `account:${client.accountId}` : `ip:${client.ip}`, this.perClient],
      [`address:${client.ip}`, this.perClient * IDENTITIES_PER_ADDRESS],
    ];
    if (limits.some(([key, max]) => (this.held.get(key) ?? 0) >= max)) {
      throw new ProblemException({
        status: 429,
        code: 'too-many-streams',
        title: 'Too many live streams open',
        detail: `At most ${this.perClient} live streams at once: close one (another tab) first.`,
        headers: { 'retry-after': '5' },
      });
    }
    for (const [key] of limits) this.held.set(key, (this.held.get(key) ?? 0) + 1);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-correlation-id': String(reply.request.id),
    });
    raw.write('retry: 3000\n\n');
    for (const event of backlog) raw.write(formatEvent(event));
    const subscriber: Subscriber = {
      reply,
      heartbeat: setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS),
    };
    const set = this.channels.get(channel) ?? new Set<Subscriber>();
    set.add(subscriber);
    this.channels.set(channel, set);
    raw.once('close', () => {
      clearInterval(subscriber.heartbeat);
      set.delete(subscriber);
      if (set.size === 0) this.channels.delete(channel);
      for (const [key] of limits) {
        const left = (this.held.get(key) ?? 1) - 1;
        if (left > 0) this.held.set(key, left);
        else this.held.delete(key);
      }
    });
  }

  publish(channel: string, event: LiveEvent): void {
    const set = this.channels.get(channel);
    if (!set) return;
    const frame = formatEvent(event);
    for (const subscriber of set) subscriber.reply.raw.write(frame);
  }

  connections(): number {
    let n = 0;
    for (const set of this.channels.values()) n += set.size;
    return n;
  }

  onModuleDestroy(): void {
    for (const set of this.channels.values()) {
      for (const subscriber of set) {
        clearInterval(subscriber.heartbeat);
        subscriber.reply.raw.end();
      }
    }
    this.channels.clear();
  }
}
