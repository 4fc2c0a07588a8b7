import type { ThreadItem, ThreadPage } from '@parley/contracts';
import { type SafeHtml, html, safeUrl, trusted } from '../html';

// One formatter for every date: toLocaleDateString builds a new one per call, about 100 times slower.
const DAY_MONTH_YEAR = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return `${DAY_MONTH_YEAR.format(date)} at ${date.toISOString().slice(11, 16)}`;
}

export interface CommentRenderContext {
  slug: string;
  csrf: string;
  /** The account looking, to show its edit and delete actions. */
  viewerAccountId: string | null;
  canModerate: boolean;
  page: number;
  order: 'oldest' | 'newest';
  /** The viewer's comments posted after this instant are still within the edit window. */
  editableAfter: string | null;
  /** The comment whose edit form is open in place of its text. */
  editing: string | null;
}

function postHref(ctx: CommentRenderContext, extra: string, hash: string): string {
  const params = [
    extra,
    ctx.page > 1 ? `cpage=${ctx.page}` : '',
    ctx.order === 'newest' ? 'corder=newest' : '',
  ].filter(Boolean);
  return `/posts/${encodeURIComponent(ctx.slug)}${params.length > 0 ? `?${params.join('&')}` : ''}#${hash}`;
}

function editForm(item: ThreadItem, ctx: CommentRenderContext): SafeHtml {
  return html`<form method="post" action="/comments/${item.id}/edit" class="stacked edit-form">
    <input type="hidden" name="_csrf" value="${ctx.csrf}" /><input
      type="hidden"
      name="back"
      value="${postHref(ctx, '', `comment-${item.id}`)}"
    />
    <label for="edit-${item.id}">Edit your comment</label>
    <textarea id="edit-${item.id}" name="body" rows="6" required>
${item.body}</textarea
    >
    <div class="actions">
      <button type="submit">Save</button>
      <a href="${postHref(ctx, '', `comment-${item.id}`)}">Cancel</a>
    </div>
  </form>`;
}

function author(item: ThreadItem): SafeHtml {
  if (!item.author) return html`<span class="author muted">Deleted</span>`;
  const name = item.author.url
    ? html`<a href="${safeUrl(item.author.url)}" rel="nofollow ugc external"
        >${item.author.name}</a
      >`
    : html`${item.author.name}`;
  // As WordPress shows them: the linking page's title, named for what it is, with no avatar.
  if (item.kind !== 'comment')
    return html`<span class="author"
      >${item.kind === 'pingback' ? 'Pingback' : 'Trackback'}: ${name}</span
    >`;
  return html`<img
      class="avatar"
      src="/avatars/${item.author.avatarSeed}.svg"
      alt=""
      width="40"
      height="40"
    /><span class="author">${name}</span>`;
}

/** What the one looking may do with a comment: theirs to delete, to edit, being edited. */
export function commentActions(item: ThreadItem, ctx: CommentRenderContext) {
  const mine = ctx.viewerAccountId !== null && item.author?.accountId === ctx.viewerAccountId;
  const editable =
    mine && !item.deleted && ctx.editableAfter !== null && item.postedAt > ctx.editableAfter;
  return { mine, editable, editing: editable && ctx.editing === item.id };
}

/** One comment, without its replies: the same markup for the page and for in-place updates. */
export function commentArticle(item: ThreadItem, ctx: CommentRenderContext): SafeHtml {
  const { mine, editable, editing } = commentActions(item, ctx);
  const replyHref = `/posts/${encodeURIComponent(ctx.slug)}?replyTo=${encodeURIComponent(item.id)}${ctx.page > 1 ? `&cpage=${ctx.page}` : ''}#respond`;
  // An imported comment answers its old blog's anchor too (`#comment-123`), kept across redirects.
  const oldAnchor = item.imported && /^\d+$/.test(item.imported.id) ? item.imported.id : null;
  return html`<article${oldAnchor !== null && html` id="comment-${oldAnchor}"`} aria-labelledby="comment-${item.id}-by">
    <header id="comment-${item.id}-by">
      ${author(item)}
      <span class="comment-meta"
        ><a class="permalink" href="#comment-${item.id}"
          ><time datetime="${item.postedAt}">${formatDate(item.postedAt)}</time></a
        >${item.edited && html` · <span class="edited">edited</span>`}</span
      >
      ${item.number !== null && html`<span class="number" aria-label="Comment ${item.number}">#${item.number}</span>`}
    </header>
    ${editing ? editForm(item, ctx) : html`<div class="comment-body">${item.deleted ? item.message : trusted(item.html)}</div>`}
    ${!item.deleted && item.message && html`<p class="moderation-notice" role="status">${item.message}</p>`}
    ${ctx.canModerate && item.moderationReason && html`<p class="muted">Held: ${item.moderationReason}</p>`}
    ${
      !item.deleted &&
      html`<footer>
        <form
          method="post"
          action="/comments/${item.id}/like"
          class="inline like-form"
          data-comment-like="${item.id}"
        >
          <input type="hidden" name="_csrf" value="${ctx.csrf}" /><input
            type="hidden"
            name="back"
            value="/posts/${ctx.slug}#comment-${item.id}"
          />
          <input type="hidden" name="action" value="${item.likedByViewer ? 'unlike' : 'like'}" />
          <button
            type="submit"
            class="link"
            aria-pressed="${item.likedByViewer ? 'true' : 'false'}"
          >
            ${item.likedByViewer ? 'Liked' : 'Like'}
          </button>
          <span class="like-count" data-count="${item.likeCount}"
            >${item.likeCount > 0 ? `${item.likeCount} ${item.likeCount === 1 ? 'like' : 'likes'}` : ''}</span
          >
        </form>
        ${item.status === 'approved' && html`<a class="reply-link" href="${replyHref}" data-reply-to="${item.id}" data-reply-name="${item.author?.name ?? ''}">Reply</a>`}
        ${editable && !editing && html`<a class="edit-link" href="${postHref(ctx, `edit=${encodeURIComponent(item.id)}`, `comment-${item.id}`)}" data-edit="${item.id}">Edit</a>`}
        ${mine && html`<form method="post" action="/comments/${item.id}/delete" class="inline" data-confirm="Delete this comment?"><input type="hidden" name="_csrf" value="${ctx.csrf}" /><input type="hidden" name="back" value="/posts/${ctx.slug}" /><button type="submit" class="link">Delete</button></form>`}
      </footer>`
    }
  </article>`;
}

/**
 * The markup around the comments of a thread as nested lists: before each item's article (the
 * end of the item before and the opening of its own list item), then the end of the lists.
 * Items come in display order (depth first) with their depth, so each depth change opens or
 * closes one list of replies.
 */
export function threadFrames(items: readonly ThreadItem[]): string[] {
  const frames: string[] = [];
  let out = '<ol class="comment-list">';
  let depth = 1;
  let open = false;
  for (const item of items) {
    const d = Math.max(1, item.depth);
    if (open && d > depth) {
      out += '<ol class="children">'.repeat(d - depth);
    } else if (open) {
      out += '</li>';
      out += '</ol></li>'.repeat(depth - d);
    }
    depth = d;
    const classes = ['comment', `depth-${d}`, item.status, item.deleted ? 'deleted' : '']
      .filter(Boolean)
      .join(' ');
    // Left open: the item's replies go inside it; the next depth change closes it.
    out +=
      html`<li id="comment-${item.id}" class="${classes}" data-comment-id="${item.id}" data-depth="${d}">`
        .value;
    frames.push(out);
    out = '';
    open = true;
  }
  if (open) out += '</li>' + '</ol></li>'.repeat(depth - 1);
  frames.push(`${out}</ol>`);
  return frames;
}

/** The thread as nested lists, each comment in its list item. */
export function threadList(items: readonly ThreadItem[], ctx: CommentRenderContext): SafeHtml {
  const frames = threadFrames(items);
  let out = '';
  items.forEach((item, i) => {
    out += frames[i]! + commentArticle(item, ctx).value;
  });
  return trusted(out + frames[items.length]!);
}

export function threadPagination(thread: ThreadPage, slug: string): SafeHtml {
  if (thread.totals.pages <= 1) return html``;
  const link = (page: number) =>
    `/posts/${encodeURIComponent(slug)}?cpage=${page}${thread.order === 'newest' ? '&corder=newest' : ''}#comments`;
  return html`<nav class="pagination" aria-label="Comment pages">
    ${thread.page > 1 ? html`<a href="${link(thread.page - 1)}" rel="prev">← Older comments</a>` : html`<span></span>`}
    <span class="muted">Page ${thread.page} of ${thread.totals.pages}</span>
    ${thread.page < thread.totals.pages ? html`<a href="${link(thread.page + 1)}" rel="next">Newer comments →</a>` : html`<span></span>`}
  </nav>`;
}
