import type {
  CommentOrigin,
  GuestContact,
  InboxResponse,
  ModerationQueuePage,
  NotificationWhy,
  PostView,
  SubscriptionList,
  WebhookView,
} from '@parley/contracts';
import { type SafeHtml, html, safeUrl, trusted } from '../html';
import { formatDate } from './thread';

const REASONS: Record<string, string> = {
  reply: 'replied to you',
  branch: 'commented in a discussion you follow',
  post: 'commented on a post you follow',
  'post-author': 'commented on your post',
  blog: 'published a new post',
  moderation: 'left a comment awaiting moderation',
};

function subjectLine(subject: NotificationWhy['subject']): SafeHtml {
  return subject.kind === 'comment'
    ? html`<a href="/posts/${subject.postSlug}#comment-${subject.commentId}"
        >${subject.authorName} on “${subject.postTitle}”</a
      >`
    : html`<a href="/posts/${subject.slug}">“${subject.title}” by ${subject.authorName}</a>`;
}

export function inboxPage(inbox: InboxResponse, csrf: string): SafeHtml {
  return html`<h1>Notifications</h1>
    <p class="muted">${inbox.unreadCount} unread.</p>
    ${inbox.unreadCount > 0 && html`<form method="post" action="/notifications/read-all"><input type="hidden" name="_csrf" value="${csrf}" /><button type="submit" class="secondary">Mark all read</button></form>`}
    <ul class="inbox">
      ${inbox.items.map(
        (n) =>
          html`<li class="${n.readAt ? '' : 'unread'}">
            ${subjectLine(n.subject)} — ${n.subject.authorName} ${REASONS[n.reason] ?? n.reason}.
            <span class="muted"
              ><time datetime="${n.createdAt}">${formatDate(n.createdAt)}</time> ·
              <a href="/notifications/${n.id}/why">Why was I notified?</a></span
            >
          </li>`,
      )}
    </ul>
    ${inbox.items.length === 0 && html`<p>Nothing yet. Replies to your comments will show here.</p>`}`;
}

export function whyPage(why: NotificationWhy): SafeHtml {
  return html`<h1>Why was I notified?</h1>
    <p>
      ${subjectLine(why.subject)}: ${why.subject.authorName} ${REASONS[why.reason] ?? why.reason}.
    </p>
    <p>${why.explanation}</p>
    <table class="plain">
      <thead>
        <tr>
          <th>Channel</th>
          <th>What happened</th>
        </tr>
      </thead>
      <tbody>
        ${why.channels.map(
          (c) =>
            html`<tr>
              <td>${c.channel}</td>
              <td>${c.state}${c.reason && html` — ${c.reason}`}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <p><a href="/notifications">Back to notifications</a></p>`;
}

const KINDS: Record<string, string> = {
  replies: 'Replies to my comments',
  branch: 'A discussion I follow',
  post: 'New comments on a post',
  blog: 'New posts of the blog',
};

/** An account's webhook: where notifications are posted, or the form that adds one. */
function webhookSection(
  webhook: WebhookView | null,
  csrf: string,
  error: { url: string; reason: string } | null,
): SafeHtml {
  if (webhook)
    return html`<section class="webhook" aria-labelledby="webhook-title">
      <h2 id="webhook-title">Webhook</h2>
      <p>
        Notifications are posted to <code>${webhook.url}</code>${
          webhook.useForSubscriptions
            ? html` for your subscriptions.`
            : html` for the subscriptions that have the webhook channel.`
        }
      </p>
      <form method="post" action="/subscriptions/manage/webhook/remove" class="stacked">
        <input type="hidden" name="_csrf" value="${csrf}" />
        <input type="hidden" name="id" value="${webhook.id}" />
        <div class="actions"><button type="submit" class="secondary">Remove webhook</button></div>
      </form>
    </section>`;
  return html`<section class="webhook" aria-labelledby="webhook-title">
    <h2 id="webhook-title">Webhook</h2>
    <form method="post" action="/subscriptions/manage/webhook" class="stacked">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <label for="webhook-url">Post notifications to this URL</label>
      <input
        id="webhook-url"
        name="url"
        type="url"
        required
        value="${error?.url ?? ''}"
        ${error && html`aria-invalid="true" aria-describedby="webhook-url-error"`}
      />
      ${error && html`<p id="webhook-url-error" class="field-error">${error.reason}</p>`}
      <div class="check">
        <input
          type="checkbox"
          id="webhook-use-for-subscriptions"
          name="useForSubscriptions"
          value="1"
          checked
        /><label for="webhook-use-for-subscriptions">Use it for my subscriptions, and for new ones.</label>
      </div>
      <div class="actions"><button type="submit">Add webhook</button></div>
    </form>
  </section>`;
}

/** Shown once after registration: the key that signs every delivery. */
export function webhookCreatedPage(url: string, secret: string): SafeHtml {
  return html`<h1>Webhook added</h1>
    <p>Notifications are posted to <code>${url}</code>, signed with this secret (HMAC-SHA256).</p>
    <p>Copy it now: it is not shown again.</p>
    <p><code data-webhook-secret>${secret}</code></p>
    <p><a href="/subscriptions/manage">Back to your subscriptions</a></p>`;
}

export function manageSubscriptionsPage(
  list: SubscriptionList,
  csrf: string,
  token: string | null,
  webhook: {
    current: WebhookView | null;
    error: { url: string; reason: string } | null;
  } | null = null,
): SafeHtml {
  const tokenField = token ? html`<input type="hidden" name="token" value="${token}" />` : html``;
  return html`<h1>Your subscriptions</h1>
    ${list.subscriber.pausedUntil ? html`<p class="notice">Paused until ${formatDate(list.subscriber.pausedUntil)}.</p>` : ''}
    <ul class="inbox">
      ${list.items.map(
        (s) =>
          html`<li>
            <strong>${KINDS[s.kind] ?? s.kind}</strong
            >${s.implicit && html` <span class="muted">(always on for accounts)</span>`}
            <span class="muted">(${s.status}, ${s.frequency}, ${s.channels.join(', ')})</span>
            ${
              s.status !== 'unsubscribed' &&
              !s.implicit &&
              html`<form method="post" action="/subscriptions/manage/${s.id}" class="stacked">
                ${tokenField}<input type="hidden" name="_csrf" value="${csrf}" />
                <label for="frequency-${s.id}">How often</label>
                <select id="frequency-${s.id}" name="frequency">
                  ${['immediate', 'hourly', 'daily'].map((f) => html`<option value="${f}" ${s.frequency === f && html` selected`}>${f === 'immediate' ? 'Right away' : f === 'hourly' ? 'Hourly digest' : 'Daily digest'}</option>`)}
                </select>
                <div class="actions">
                  <button type="submit" name="do" value="save">Save</button
                  ><button type="submit" name="do" value="unsubscribe" class="secondary">
                    Unsubscribe
                  </button>
                </div>
              </form>`
            }
          </li>`,
      )}
    </ul>
    ${list.items.length === 0 && html`<p>You have no subscriptions.</p>`}
    <form method="post" action="/subscriptions/manage/pause" class="stacked">
      ${tokenField}<input type="hidden" name="_csrf" value="${csrf}" />
      <label for="pause-days">Pause everything for</label>
      <select id="pause-days" name="days">
        <option value="1">1 day</option>
        <option value="7" selected>7 days</option>
        <option value="30">30 days</option>
      </select>
      <div class="actions"><button type="submit" class="secondary">Pause</button></div>
    </form>
    ${webhook && webhookSection(webhook.current, csrf, webhook.error)}`;
}

/** The moderation queue's tabs, as WordPress's comment screen has them. */
export type ModerationTab = 'pending' | 'spam' | 'trash';

export interface ModerationView {
  tab: ModerationTab;
  queue: ModerationQueuePage;
  /** How many comments each tab holds, for its label. */
  counts: Record<ModerationTab, number>;
  csrf: string;
}

const TAB_LABELS: Record<ModerationTab, string> = {
  pending: 'Pending',
  spam: 'Spam',
  trash: 'Trash',
};

function guestLine(guest: GuestContact | null): SafeHtml | false {
  if (!guest) return false;
  const from = guest.sameClient;
  return html`<p class="muted" data-queue-guest>
    Guest: <a href="${safeUrl(`mailto:${guest.email}`)}">${guest.email}</a>${
      guest.url && html` · <a href="${safeUrl(guest.url)}" rel="nofollow ugc">${guest.url}</a>`
    }${
      from &&
      html` · from the same client: ${from.approved} approved, ${from.pending} held,
      ${from.spam} spam, ${from.trash} trashed`
    }
  </p>`;
}

/** IP and user agent while the retention period keeps them; "not kept" once erased (or never known). */
function originLine(origin: CommentOrigin | null): SafeHtml | false {
  if (!origin) return false;
  return html`<p class="muted" data-queue-origin>
    IP: <span data-queue-ip>${origin.ip ?? 'not kept'}</span> · User agent:
    <span data-queue-agent>${origin.userAgent ?? 'not kept'}</span>
  </p>`;
}

function queueActions(tab: ModerationTab, id: string, csrf: string): SafeHtml {
  const token = html`<input type="hidden" name="_csrf" value="${csrf}" />`;
  const from = html`<input type="hidden" name="from" value="${tab}" />`;
  if (tab !== 'pending')
    return html`<div class="actions">
      <form method="post" action="/moderation/${id}/restore">
        ${token}${from}<button type="submit" data-restore>
          ${tab === 'spam' ? 'Not spam' : 'Restore'}
        </button>
      </form>
      <form method="post" action="/moderation/${id}/delete">
        ${token}${from}<button type="submit" class="secondary" data-delete-permanently>
          Delete permanently
        </button>
      </form>
    </div>`;
  return html`<form method="post" action="/moderation/${id}" class="actions">
    ${token}
    <button type="submit" name="status" value="approved" data-moderate="approved">Approve</button>
    <button type="submit" name="status" value="spam" data-moderate="spam" class="secondary">
      Spam
    </button>
    <button type="submit" name="status" value="trash" data-moderate="trash" class="secondary">
      Trash
    </button>
  </form>`;
}

export function moderationPage({ tab, queue, counts, csrf }: ModerationView): SafeHtml {
  const tabs: ModerationTab[] = ['pending', 'spam', 'trash'];
  return html`<h1>Moderation</h1>
    <nav aria-label="Moderation queues" class="tabs">
      <ul>
        ${tabs.map(
          (t) =>
            html`<li>
              <a
                href="/moderation${t === 'pending' ? '' : `?status=${t}`}"
                data-tab="${t}"
                ${trusted(t === tab ? 'aria-current="page"' : '')}
                >${TAB_LABELS[t]} (${counts[t]})</a
              >
            </li>`,
        )}
      </ul>
    </nav>
    <p class="muted">
      ${queue.total}
      ${
        tab === 'pending'
          ? `comment${queue.total === 1 ? '' : 's'} awaiting a decision.`
          : `comment${queue.total === 1 ? '' : 's'} in ${tab === 'spam' ? 'spam' : 'the trash'}.`
      }
    </p>
    ${
      tab === 'trash' &&
      queue.total > 0 &&
      html`<form method="post" action="/moderation/empty-trash" class="actions">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <button type="submit" class="secondary" data-empty-trash>Empty trash</button>
    </form>`
    }
    <ul class="queue">
      ${queue.items.map(
        (c) =>
          html`<li data-queue-item="${c.id}">
            <p class="comment-meta">
              <strong>${c.author?.name ?? 'Unknown'}</strong> on
              <a href="/posts/${c.post.slug}">${c.post.title}</a> ·
              <time datetime="${c.postedAt}">${formatDate(c.postedAt)}</time> ·
              <span data-queue-status>${c.status}</span
              >${c.moderationReason && html` · held: ${c.moderationReason}`}
            </p>
            ${guestLine(c.guest)} ${originLine(c.origin)}
            <div class="comment-body">${trusted(c.html)}</div>
            ${queueActions(tab, c.id, csrf)}
            <p class="field-error" data-queue-error role="alert"></p>
          </li>`,
      )}
    </ul>
    ${
      queue.items.length === 0 &&
      html`<p>${tab === 'trash' ? 'The trash is empty.' : 'Nothing to moderate.'}</p>`
    }`;
}

export interface EditorState {
  values: {
    title?: string;
    body?: string;
    tags?: string;
    categories?: string;
    series?: string;
    publishAt?: string;
    commentsMode?: string;
    autoCloseDays?: string;
  };
  errors: Record<string, string>;
  formError: string | null;
  preview: string | null;
}

export function editorPage(post: PostView | null, state: EditorState, csrf: string): SafeHtml {
  const v = {
    title: state.values.title ?? post?.title ?? '',
    body: state.values.body ?? post?.body ?? '',
    tags: state.values.tags ?? post?.tags.join(', ') ?? '',
    categories: state.values.categories ?? post?.categories.join(', ') ?? '',
    series: state.values.series ?? post?.series ?? '',
    // A new post takes the blog's default unless its author picks otherwise.
    commentsMode: state.values.commentsMode ?? post?.commentSettings.mode ?? '',
    autoCloseDays: state.values.autoCloseDays ?? String(post?.commentSettings.autoCloseDays ?? ''),
  };
  const err = (name: string) =>
    state.errors[name] && html`<p class="field-error" id="${name}-error">${state.errors[name]}</p>`;
  return html`<h1>${post ? html`Edit “${post.title}”` : 'Write a post'}</h1>
    <p><a href="/desk/posts">Your posts</a></p>
    ${post?.status === 'published' && html`<p class="muted">This post is published: “Update” changes it for readers at once. To rework it out of sight, unpublish it first.</p>`}
    ${post && html`<p class="muted">Status: ${post.status}${post.publishAt && html` (goes out ${formatDate(post.publishAt)})`} · revision ${post.revision} · <a href="/posts/${post.slug}">view</a></p>`}
    ${state.formError && html`<p class="form-error" role="alert">${state.formError}</p>`}
    <form method="post" action="${post ? `/posts/${post.slug}/edit` : '/write'}" class="stacked">
      <input type="hidden" name="_csrf" value="${csrf}" />
      ${post && html`<input type="hidden" name="revision" value="${post.revision}" />`}
      <label for="title">Title</label>
      <input
        id="title"
        name="title"
        type="text"
        value="${v.title}"
        required${state.errors.title && html` aria-invalid="true" aria-describedby="title-error"`}
      />${err('title')}
      <label for="body">Body (Markdown)</label>
      <textarea
        id="body"
        name="body"
        rows="14"
        ${state.errors.body && html` aria-invalid="true" aria-describedby="body-error"`}
      >
${v.body}</textarea
      >${err('body')} <label for="categories">Categories (comma-separated)</label
      ><input id="categories" name="categories" type="text" value="${v.categories}" />
      <label for="tags">Tags (comma-separated)</label
      ><input id="tags" name="tags" type="text" value="${v.tags}" />
      <label for="series">Series</label
      ><input id="series" name="series" type="text" value="${v.series}" />
      <label for="publishAt">Publish at (for scheduling, UTC)</label
      ><input
        id="publishAt"
        name="publishAt"
        type="datetime-local"
        value="${state.values.publishAt ?? ''}"
      />${err('publishAt')}
      <label for="commentsMode">Comments</label>
      <select id="commentsMode" name="commentsMode">
        ${!post && html`<option value="" ${v.commentsMode === '' && html` selected`}>As the blog’s default</option>`}
        ${(
          [
            ['open', 'Open'],
            ['closed', 'Closed'],
            ['auto-close', 'Close after a number of days'],
          ] as const
        ).map(
          ([mode, label]) =>
            html`<option value="${mode}" ${v.commentsMode === mode && html` selected`}>${label}</option>`,
        )}
      </select>
      <label for="autoCloseDays">Days after publication (to close after)</label
      ><input
        id="autoCloseDays"
        name="autoCloseDays"
        type="text"
        inputmode="numeric"
        value="${v.autoCloseDays}"
        ${state.errors.autoCloseDays && html` aria-invalid="true" aria-describedby="autoCloseDays-error"`}
      />${err('autoCloseDays')}
      <div class="actions">
        ${
          post?.status === 'published'
            ? html`<button type="submit" name="do" value="save">Update</button>`
            : html`<button type="submit" name="do" value="save">Save draft</button>`
        }
        <button type="submit" name="do" value="preview" class="secondary" data-preview="body">
          Preview
        </button>
        ${post?.status !== 'published' && html`<button type="submit" name="do" value="publish">Publish</button><button type="submit" name="do" value="schedule" class="secondary">Schedule</button>`}
        ${post?.status === 'published' && html`<button type="submit" name="do" value="unpublish" class="secondary">Unpublish</button>`}
      </div>
    </form>
    <div
      class="preview post-body"
      data-preview-target${state.preview === null ? html` hidden` : html``}
    >
      ${state.preview === null ? '' : trusted(state.preview)}
    </div>`;
}
