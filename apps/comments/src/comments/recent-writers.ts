import type { WriterHistory } from './comment.decider';

const REMEMBER_MS = 10 * 60_000;
const MAX_WRITERS = 10_000;

interface Recent {
  lastPostedAt: number;
  texts: Set<string>;
}

/**
 * What this process itself accepted in the last minutes, per writer: the read model
 * learns of a comment a moment after it is posted, and a double submit must not slip
 * through flood control or duplicate detection in that moment.
 */
export class RecentWriters {
  private readonly writers = new Map<string, Recent>();

  record(authorKey: string, postId: string, textKey: string, at: Date): void {
    const recent = this.writers.get(authorKey) ?? { lastPostedAt: 0, texts: new Set<string>() };
    recent.lastPostedAt = Math.max(recent.lastPostedAt, at.getTime());
    recent.texts.add(`${postId}:${textKey}`);
    // Re-inserted so the map's order is the order of last activity, oldest first.
    this.writers.delete(authorKey);
    this.writers.set(authorKey, recent);
    this.forget(at.getTime());
  }

  /** The read model's history, completed with what happened here since. */
  complete(
    authorKey: string,
    postId: string,
    textKey: string,
    history: WriterHistory,
    now: Date,
  ): WriterHistory {
    const recent = this.writers.get(authorKey);
    if (!recent || recent.lastPostedAt < now.getTime() - REMEMBER_MS) return history;
    const known = history.lastPostedAt?.getTime() ?? 0;
    return {
      hasApprovedComment: history.hasApprovedComment,
      lastPostedAt: new Date(Math.max(known, recent.lastPostedAt)),
      sameTextOnPost: history.sameTextOnPost || recent.texts.has(`${postId}:${textKey}`),
    };
  }

  private forget(now: number): void {
    for (const [key, recent] of this.writers) {
      if (this.writers.size <= MAX_WRITERS && recent.lastPostedAt >= now - REMEMBER_MS) break;
      this.writers.delete(key);
    }
  }
}
