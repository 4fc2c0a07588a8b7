import type { WriterHistory } from './comment.decider';

const REMEMBER_MS = 10 * 60_000;
const MAX_ENTRIES = 10_000;

/** What identifies a comment for flood control and duplicate detection. */
export interface WriteKeys {
  authorKey: string;
  /** The client address as the gateway keyed it; null when the request came without one. */
  clientKey: string | null;
  postId: string;
  textKey: string;
}

/** Times by key, oldest activity first, forgetting what is older than REMEMBER_MS or too many. */
class LastSeen<V extends { at: number }> {
  private readonly entries = new Map<string, V>();

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.at >= now - REMEMBER_MS ? entry : undefined;
  }

  set(key: string, value: V): void {
    // Re-inserted so the map's order is the order of last activity, oldest first.
    this.entries.delete(key);
    this.entries.set(key, value);
    for (const [oldKey, entry] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && entry.at >= value.at - REMEMBER_MS) break;
      this.entries.delete(oldKey);
    }
  }
}

function later(known: Date | null, seen: { at: number } | undefined): Date | null {
  if (!seen) return known;
  return new Date(Math.max(known?.getTime() ?? 0, seen.at));
}

/**
 * What this process itself accepted in the last minutes, per writer, per client address and
 * per text on a post: the read model learns of a comment a moment after it is posted, and a
 * double submit must not slip through flood control or duplicate detection in that moment.
 */
export class RecentWriters {
  private readonly writers = new LastSeen<{ at: number; texts: Set<string> }>();
  private readonly clients = new LastSeen<{ at: number }>();
  private readonly texts = new LastSeen<{ at: number }>();

  record(keys: WriteKeys, at: Date): void {
    const time = at.getTime();
    const postText = `${keys.postId}:${keys.textKey}`;
    const writer = this.writers.get(keys.authorKey, time) ?? { at: 0, texts: new Set<string>() };
    writer.texts.add(postText);
    this.writers.set(keys.authorKey, { at: Math.max(writer.at, time), texts: writer.texts });
    this.texts.set(postText, { at: time });
    if (keys.clientKey) {
      this.clients.set(keys.clientKey, { at: time });
      this.texts.set(`${keys.clientKey}:${postText}`, { at: time });
    }
  }

  /** The read model's history, completed with what happened here since. */
  complete(keys: WriteKeys, history: WriterHistory, now: Date): WriterHistory {
    const time = now.getTime();
    const postText = `${keys.postId}:${keys.textKey}`;
    const writer = this.writers.get(keys.authorKey, time);
    const client = keys.clientKey;
    return {
      hasApprovedComment: history.hasApprovedComment,
      lastPostedAt: later(history.lastPostedAt, writer),
      clientLastPostedAt: client
        ? later(history.clientLastPostedAt, this.clients.get(client, time))
        : history.clientLastPostedAt,
      sameTextOnPost: history.sameTextOnPost || (writer?.texts.has(postText) ?? false),
      sameTextLastPostedAt: later(history.sameTextLastPostedAt, this.texts.get(postText, time)),
      sameTextFromClientAt: client
        ? later(history.sameTextFromClientAt, this.texts.get(`${client}:${postText}`, time))
        : history.sameTextFromClientAt,
    };
  }
}
