import { randomBytes } from 'node:crypto';
import type { PostView, ThreadItem } from '@parley/contracts';
import { KeptAnswers } from '@parley/readmodel';
import { renderPostMarkdown } from '@parley/text';
import { SafeHtml } from '../html';
import { type CommentRenderContext, commentActions, commentArticle, threadFrames } from './thread';

/** A thread's markup kept as bytes, split where the visitor's CSRF token goes. */
interface KeptThread {
  /** The markup before each comment and after the last. */
  frames: Buffer[];
  /** Each comment with the markup before it, by the way it shows (see `showing`). */
  comments: Map<string, Buffer[]>[];
}

const NO_LIKES: ReadonlySet<string> = new Set();

/**
 * Markup that is the same for every visitor, rendered once: a thread's comments by the ETag of
 * the thread answer they come from, a post's body by its text. A comment shows in a few ways
 * (to a stranger; to its writer, with the actions on their own comment; liked by the one
 * looking): each is kept once it is asked for, so a signed-in reader's page is put together
 * from kept markup too. The visitor's CSRF token goes in at serve time in place of a marker no
 * comment can contain.
 */
export class KeptRenderings {
  private readonly threads = new KeptAnswers<KeptThread>(32 * 1024 * 1024, (thread) =>
    // Counted twice over: room for the ways its comments show to their writers and likers.
    thread.comments.reduce(
      (total, ways) => total + 2 * (ways.get(STRANGER)?.reduce((t, p) => t + p.length, 0) ?? 0),
      0,
    ),
  );
  private readonly bodies = new KeptAnswers<string>(8 * 1024 * 1024, (body) => body.length);
  private readonly marker = `csrf${randomBytes(16).toString('hex')}`;
  private readonly slot = `\u0000thread${randomBytes(16).toString('hex')}\u0000`;
  private served = 0;

  /**
   * The comments of a public thread answer (no moderation) as the visitor of `ctx` sees them,
   * with the comments in `liked` liked by them, as bytes: the page is sent with them in place
   * (see `pageBytes`). The same as `threadList` of the items with those likes marked.
   */
  thread(
    etag: string,
    items: readonly ThreadItem[],
    ctx: CommentRenderContext,
    liked: ReadonlySet<string> = NO_LIKES,
  ): SafeHtml {
    const key = `${etag}|${ctx.slug}`;
    const kept =
      this.threads.get(key, key)?.value ?? this.threads.set(key, key, this.keep(items, ctx)).value;
    const csrf = Buffer.from(ctx.csrf);
    const joined: Buffer[] = [];
    const add = (parts: readonly Buffer[]) =>
      parts.forEach((part, i) => {
        if (i > 0) joined.push(csrf);
        joined.push(part);
      });
    items.forEach((item, i) => {
      const shown = liked.has(item.id) ? { ...item, likedByViewer: true } : item;
      const way = showing(shown, ctx);
      // The comment being edited carries its text in a form: rendered for this page alone.
      if (way === null) joined.push(kept.frames[i]!, Buffer.from(commentArticle(shown, ctx).value));
      else {
        const ways = kept.comments[i]!;
        add(ways.get(way) ?? remember(ways, way, this.split(kept.frames[i]!, shown, ctx)));
      }
    });
    joined.push(kept.frames[items.length]!);
    const marker = `${this.slot}${(this.served = (this.served + 1) % 1_000_000)}\u0000`;
    return new SafeHtml(marker, [{ marker, parts: joined }]);
  }

  /** A thread's frames and each comment as a stranger sees it. */
  private keep(items: readonly ThreadItem[], ctx: CommentRenderContext): KeptThread {
    const frames = threadFrames(items).map((frame) => Buffer.from(frame));
    const stranger = { ...ctx, viewerAccountId: null, editing: null, canModerate: false };
    const comments = items.map(
      (item, i) =>
        new Map([[STRANGER, this.split(frames[i]!, { ...item, likedByViewer: false }, stranger)]]),
    );
    return { frames, comments };
  }

  /** A comment with the markup before it, split where the CSRF token goes. */
  private split(frame: Buffer, item: ThreadItem, ctx: CommentRenderContext): Buffer[] {
    const [first = '', ...rest] = commentArticle(item, { ...ctx, csrf: this.marker }).value.split(
      this.marker,
    );
    return [Buffer.concat([frame, Buffer.from(first)]), ...rest.map((part) => Buffer.from(part))];
  }

  postBody(post: Pick<PostView, 'id' | 'body'>): string {
    return (
      this.bodies.get(post.id, post.body)?.value ??
      this.bodies.set(post.id, post.body, renderPostMarkdown(post.body)).value
    );
  }
}

const STRANGER = '';

/**
 * The way a comment shows to the one looking, as the key its markup is kept by: `''` as to a
 * stranger, else which of their own comment's actions and their like it carries; null for the
 * comment they are editing, which is not kept.
 */
function showing(item: ThreadItem, ctx: CommentRenderContext): string | null {
  const { mine, editable, editing } = commentActions(item, ctx);
  if (editing) return null;
  return `${mine ? 'mine' : ''}${editable ? '+edit' : ''}${item.likedByViewer ? '+liked' : ''}${ctx.canModerate ? '+moderator' : ''}`;
}

function remember<T>(ways: Map<string, T>, way: string, value: T): T {
  ways.set(way, value);
  return value;
}
