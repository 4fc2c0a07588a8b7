import type { PostView, ThreadPage } from '@parley/contracts';
import { type SafeHtml, html, trusted } from '../html';
import { renderPostMarkdown } from '@parley/text';
import { type CommentFormState, commentForm } from './comment-form';
import type { Viewer } from './layout';
import { type CommentRenderContext, formatDate, threadList, threadPagination } from './thread';

export function likesLine(post: Pick<PostView, 'likeCount' | 'likers'>): string {
  if (post.likeCount === 0) return 'Be the first to like this.';
  const names = post.likers.slice(0, 3);
  const others = post.likeCount - names.length;
  const who =
    others > 0
      ? `${names.join(', ')} and ${others} ${others === 1 ? 'other' : 'others'}`
      : names.length > 1
        ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
        : (names[0] ?? '');
  return `${post.likeCount} ${post.likeCount === 1 ? 'blogger likes' : 'bloggers like'} this: ${who}.`;
}

export function postPage(input: {
  post: PostView;
  thread: ThreadPage;
  viewer: Viewer | null;
  likedByViewer: boolean;
  csrf: string;
  replyTo: { id: string; name: string } | null;
  form: CommentFormState;
  /** The post's author and admins get a link to its editor. */
  canEdit?: boolean;
  /** The comment whose edit form is open, if the viewer asked for one. */
  editing: string | null;
  now: Date;
  /** The post's body as HTML, when the caller kept it from an earlier view. */
  bodyHtml?: string;
  /** Renders the comments: a caller may serve a kept rendering of the same thread. */
  renderThread?: (items: ThreadPage['items'], ctx: CommentRenderContext) => SafeHtml;
}): SafeHtml {
  const { post, thread, viewer } = input;
  const ctx: CommentRenderContext = {
    slug: post.slug,
    csrf: input.csrf,
    viewerAccountId: viewer?.actor.accountId ?? null,
    canModerate: thread.view === 'moderation',
    page: thread.page,
    order: thread.order,
    editableAfter:
      thread.editWindowMinutes > 0
        ? new Date(input.now.getTime() - thread.editWindowMinutes * 60_000).toISOString()
        : null,
    editing: input.editing,
  };
  const meta = [post.series, ...post.categories].filter(Boolean).join(' · ');
  const orderLink = (order: 'oldest' | 'newest', label: string) =>
    thread.order === order
      ? html`<strong aria-current="true">${label}</strong>`
      : html`<a href="/posts/${post.slug}?corder=${order}#comments">${label}</a>`;
  return html`<article class="post" data-post-id="${post.id}">
      <header>
        ${meta && html`<p class="post-meta">${meta}</p>`}
        <h1>${post.title}</h1>
        <p class="byline">
          By
          ${post.author.displayName}${post.publishedAt && html` · <time datetime="${post.publishedAt}">${formatDate(post.publishedAt)}</time>`}${post.status !== 'published' && html` · <strong>${post.status}</strong>`}${input.canEdit && html` · <a href="/posts/${post.slug}/edit">Edit</a>`}
        </p>
      </header>
      <div class="post-body">${trusted(input.bodyHtml ?? renderPostMarkdown(post.body))}</div>
      ${post.tags.length > 0 && html`<p class="tags">Tags: ${post.tags.map((t) => html`<a href="/?tag=${encodeURIComponent(t)}">#${t}</a>`)}</p>`}
    </article>
    <section class="likes" aria-label="Likes">
      <form
        method="post"
        action="/posts/${post.slug}/like"
        class="inline"
        data-post-like="${post.id}"
      >
        <input type="hidden" name="_csrf" value="${input.csrf}" />
        <input type="hidden" name="action" value="${input.likedByViewer ? 'unlike' : 'like'}" />
        <button type="submit" aria-pressed="${input.likedByViewer ? 'true' : 'false'}">
          ${input.likedByViewer ? '★ Liked' : '☆ Like'}
        </button>
      </form>
      <p data-likes-line>${likesLine(post)}</p>
    </section>
    <section id="comments" class="comments" aria-labelledby="comments-title">
      <h2 id="comments-title">
        <span data-comment-count>${thread.totals.comments}</span>
        ${thread.totals.comments === 1 ? 'Comment' : 'Comments'}
      </h2>
      ${thread.items.length > 0 && html`<p class="thread-order">${orderLink('oldest', 'Oldest first')} · ${orderLink('newest', 'Newest first')}</p>`}
      <button type="button" class="new-comments secondary" data-new-comments hidden></button>
      ${(input.renderThread ?? threadList)(thread.items, ctx)} ${threadPagination(thread, post.slug)}
      ${commentForm({ postId: post.id, slug: post.slug, csrf: input.csrf, viewer, replyTo: input.replyTo, open: thread.commentsOpen, page: thread.page, state: input.form })}
      <p class="privacy-links">
        <a href="/privacy#export">Export my data</a> · <a href="/privacy#delete">Delete my data</a>
      </p>
    </section>`;
}
