import type { LiveComment, LiveCommentApproved, LiveNotification } from '@parley/contracts';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

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

  /** Takes over the reply and keeps it open as an event stream until the client leaves. */
  open(channel: string, reply: FastifyReply, backlog: LiveEvent[] = []): void {
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
    raw.on('close', () => {
      clearInterval(subscriber.heartbeat);
      set.delete(subscriber);
      if (set.size === 0) this.channels.delete(channel);
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
