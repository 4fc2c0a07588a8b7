import { randomBytes } from 'node:crypto';
import type { PostView, ThreadItem } from '@parley/contracts';
import { KeptAnswers } from '@parley/readmodel';
import { renderPostMarkdown } from '@parley/text';
import { SafeHtml } from '../html';
import { type CommentRenderContext, threadList } from './thread';

/**
 * Markup that is the same for every anonymous visitor, rendered once: a thread's comments by
 * the ETag of the thread answer they come from, a post's body by its text. The visitor's CSRF
 * token goes in at serve time in place of a marker no comment can contain.
 */
export class KeptRenderings {
  private readonly threads = new KeptAnswers<Buffer[]>(32 * 1024 * 1024, (parts) =>
    parts.reduce((total, part) => total + part.length, 0),
  );
  private readonly bodies = new KeptAnswers<string>(8 * 1024 * 1024, (body) => body.length);
  private readonly marker = `csrf${randomBytes(16).toString('hex')}`;
  private readonly slot = `\u0000thread${randomBytes(16).toString('hex')}\u0000`;
  private served = 0;

  /**
   * The comments as an anonymous visitor sees them (no own comments, no moderation), as bytes
   * kept once per thread answer: the page is sent with them in place (see `pageBytes`).
   */
  anonymousThread(etag: string, items: readonly ThreadItem[], ctx: CommentRenderContext): SafeHtml {
    const key = `${etag}|${ctx.slug}`;
    const parts =
      this.threads.get(key, key)?.value ??
      this.threads.set(
        key,
        key,
        threadList(items, { ...ctx, csrf: this.marker })
          .value.split(this.marker)
          .map((part) => Buffer.from(part)),
      ).value;
    const csrf = Buffer.from(ctx.csrf);
    const joined: Buffer[] = [];
    parts.forEach((part, i) => {
      if (i > 0) joined.push(csrf);
      joined.push(part);
    });
    const marker = `${this.slot}${(this.served = (this.served + 1) % 1_000_000)}\u0000`;
    return new SafeHtml(marker, [{ marker, parts: joined }]);
  }

  postBody(post: Pick<PostView, 'id' | 'body'>): string {
    return (
      this.bodies.get(post.id, post.body)?.value ??
      this.bodies.set(post.id, post.body, renderPostMarkdown(post.body)).value
    );
  }
}
