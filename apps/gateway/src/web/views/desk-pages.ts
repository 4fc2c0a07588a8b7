import type { BlogSettingsView, CommentSettingsView, PostSummary } from '@parley/contracts';
import type { FieldError } from '@parley/platform';
import { type SafeHtml, html } from '../html';
import { formatDate } from './thread';

const STATUS_LABELS: Record<PostSummary['status'], string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  published: 'Published',
};

function dateOf(post: PostSummary): SafeHtml {
  const at =
    post.status === 'scheduled'
      ? post.publishAt
      : post.status === 'published'
        ? post.publishedAt
        : post.updatedAt;
  const label =
    post.status === 'scheduled' ? 'goes out' : post.status === 'published' ? '' : 'saved';
  return at ? html`${label && `${label} `}<time datetime="${at}">${formatDate(at)}</time>` : html``;
}

function commentsState(post: PostSummary): string {
  if (post.commentSettings.mode === 'closed') return 'closed';
  if (post.commentSettings.mode === 'auto-close')
    return post.commentsOpen
      ? `open, closing after ${post.commentSettings.autoCloseDays} days`
      : 'closed (auto)';
  return 'open';
}

function postRow(post: PostSummary, csrf: string): SafeHtml {
  const closed = post.commentSettings.mode === 'closed';
  return html`<tr data-desk-post="${post.slug}">
    <th scope="row">
      ${
        post.status === 'published'
          ? html`<a href="/posts/${post.slug}">${post.title}</a>`
          : html`${post.title}`
      }
    </th>
    <td data-desk-status>${STATUS_LABELS[post.status]}</td>
    <td>${dateOf(post)}</td>
    <td>
      <span data-desk-comment-count>${post.commentCount}</span>
      <span class="muted" data-desk-comments-state>(${commentsState(post)})</span>
    </td>
    <td class="desk-actions">
      <a href="/posts/${post.slug}/edit" aria-label="Edit “${post.title}”">Edit</a>
      <form method="post" action="/desk/posts/${post.id}/comments" class="inline">
        <input type="hidden" name="_csrf" value="${csrf}" />
        <input type="hidden" name="mode" value="${closed ? 'open' : 'closed'}" />
        <button
          type="submit"
          class="link"
          aria-label="${closed ? 'Open' : 'Close'} comments on “${post.title}”"
        >
          ${closed ? 'Open comments' : 'Close comments'}
        </button>
      </form>
      <a href="/desk/posts/${post.id}/delete" aria-label="Delete “${post.title}”">Delete</a>
    </td>
  </tr>`;
}

/** The author's desk: their drafts, scheduled and published posts, with what can be done to each. */
export function deskPage(
  sections: readonly { status: PostSummary['status']; title: string; posts: PostSummary[] }[],
  csrf: string,
  admin: boolean,
): SafeHtml {
  return html`<h1>Posts</h1>
    <p>
      <a href="/write">Write a post</a> · <a href="/desk/import">Import from WordPress</a>${
        admin && html` · <a href="/settings">Settings</a>`
      }
    </p>
    ${sections.map(
      (section) =>
        html`<section aria-labelledby="desk-${section.status}">
          <h2 id="desk-${section.status}">${section.title}</h2>
          ${
            section.posts.length === 0
              ? html`<p class="muted">None.</p>`
              : html`<table class="plain desk" data-desk-section="${section.status}">
                <thead>
                  <tr>
                    <th scope="col">Title</th>
                    <th scope="col">Status</th>
                    <th scope="col">Date</th>
                    <th scope="col">Comments</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  ${section.posts.map((post) => postRow(post, csrf))}
                </tbody>
              </table>`
          }
        </section>`,
    )}`;
}

export function confirmDeletePage(
  post: { id: string; title: string; status: string; commentCount: number },
  csrf: string,
): SafeHtml {
  return html`<h1>Delete “${post.title}”?</h1>
    <p>
      The ${post.status} post disappears for readers, with its
      ${post.commentCount} comment${post.commentCount === 1 ? '' : 's'}. Its history is kept.
    </p>
    <form method="post" action="/desk/posts/${post.id}/delete" class="actions">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <button type="submit" name="confirm" value="yes">Delete the post</button>
      <a href="/desk/posts" class="button secondary">Keep it</a>
    </form>`;
}

/** The settings API's fields as the form names them (the word lists by line, not by index). */
/** The form field of each field the blog settings answer names. */
const BLOG_FIELDS: Record<string, string> = {
  title: 'blogTitle',
  description: 'blogDescription',
  'defaultCommentSettings.mode': 'newPostComments',
  'defaultCommentSettings.autoCloseDays': 'newPostCloseDays',
  defaultCommentSettings: 'newPostComments',
};

/** The errors of the blog settings' answer, by the form field they belong to. */
export function blogSettingsFieldErrors(
  errors: readonly FieldError[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of errors ?? []) {
    const field = BLOG_FIELDS[error.field] ?? BLOG_FIELDS[error.field.split('.')[0] ?? ''];
    if (field && !out[field]) out[field] = error.reason;
  }
  return out;
}

/** The errors of the comment settings' answer, by the form field they belong to. */
export function settingsFieldErrors(
  errors: readonly FieldError[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of errors ?? []) {
    const [head, sub] = error.field.split('.');
    const field =
      head === 'requirePreviouslyApproved'
        ? sub === 'guests'
          ? 'guestsPreviouslyApproved'
          : sub === 'accounts'
            ? 'accountsPreviouslyApproved'
            : head
        : (head ?? error.field);
    const reason =
      (head === 'holdWords' || head === 'spamWords') && sub !== undefined
        ? `line ${Number(sub) + 1}: ${error.reason}`
        : error.reason;
    if (!out[field]) out[field] = reason;
  }
  return out;
}

export interface SettingsFormState {
  /** What the form shows: the saved settings, or what was sent when it was refused. */
  values: Record<string, string>;
  errors: Record<string, string>;
  formError: string | null;
}

/** The settings as the form's text fields show them. */
export function settingsValues(
  blog: BlogSettingsView,
  settings: CommentSettingsView,
): Record<string, string> {
  return {
    blogTitle: blog.title,
    blogDescription: blog.description,
    newPostComments: blog.defaultCommentSettings.mode,
    newPostCloseDays:
      blog.defaultCommentSettings.autoCloseDays === null
        ? ''
        : String(blog.defaultCommentSettings.autoCloseDays),
    threadDepth: String(settings.threadDepth),
    editWindowMinutes: String(settings.editWindowMinutes),
    requireApproval: settings.requireApproval ? '1' : '',
    guestsPreviouslyApproved: settings.requirePreviouslyApproved.guests ? '1' : '',
    accountsPreviouslyApproved: settings.requirePreviouslyApproved.accounts ? '1' : '',
    maxLinks: String(settings.maxLinks),
    holdWords: settings.holdWords.join('\n'),
    spamWords: settings.spamWords.join('\n'),
    floodSeconds: String(settings.floodSeconds),
    commentsPerPage: String(settings.commentsPerPage),
    defaultOrder: settings.defaultOrder,
  };
}

export function settingsPage(
  state: SettingsFormState,
  csrf: string,
  changedAt: string | null,
): SafeHtml {
  const v = state.values;
  const described = (name: string) =>
    state.errors[name] ? html` aria-invalid="true" aria-describedby="${name}-error"` : html``;
  const err = (name: string) =>
    state.errors[name] &&
    html`<p class="field-error" id="${name}-error" data-field-error="${name}">
      ${state.errors[name]}
    </p>`;
  const number = (name: string, label: string, help: string) =>
    html`<label for="${name}">${label}</label>
      <input
        id="${name}"
        name="${name}"
        type="text"
        inputmode="numeric"
        value="${v[name] ?? ''}"
        ${described(name)}
      />
      <p class="muted">${help}</p>
      ${err(name)}`;
  const check = (name: string, label: string) =>
    html`<div class="check">
      <input type="checkbox" id="${name}" name="${name}" value="1" ${v[name] && html` checked`} />
      <label for="${name}">${label}</label>
    </div>`;
  const words = (name: string, label: string, help: string) =>
    html`<label for="${name}">${label}</label>
      <textarea id="${name}" name="${name}" rows="5" ${described(name)}>${v[name] ?? ''}</textarea>
      <p class="muted">${help}</p>
      ${err(name)}`;
  return html`<h1>Settings</h1>
    <p class="muted">
      ${changedAt ? html`Last changed ${formatDate(changedAt)}.` : 'The defaults apply.'}
      <a href="/desk/posts">Posts</a>
    </p>
    ${state.formError && html`<p class="form-error" role="alert">${state.formError}</p>`}
    <form method="post" action="/settings" class="stacked" novalidate>
      <input type="hidden" name="_csrf" value="${csrf}" />
      <fieldset>
        <legend>Blog</legend>
        <label for="blogTitle">Blog title</label>
        <input
          id="blogTitle"
          name="blogTitle"
          type="text"
          maxlength="120"
          value="${v.blogTitle ?? ''}"
          ${described('blogTitle')}
        />
        ${err('blogTitle')}
        <label for="blogDescription">Tagline</label>
        <input
          id="blogDescription"
          name="blogDescription"
          type="text"
          maxlength="300"
          value="${v.blogDescription ?? ''}"
          ${described('blogDescription')}
        />
        <p class="muted">In a few words, what this blog is about (the front page and the feed).</p>
        ${err('blogDescription')}
        <label for="newPostComments">Comments on new posts</label>
        <select id="newPostComments" name="newPostComments" ${described('newPostComments')}>
          <option value="open" ${v.newPostComments === 'open' && html` selected`}>Open</option>
          <option value="auto-close" ${v.newPostComments === 'auto-close' && html` selected`}>
            Open, then closed after some days
          </option>
          <option value="closed" ${v.newPostComments === 'closed' && html` selected`}>Closed</option>
        </select>
        ${err('newPostComments')}
        ${number(
          'newPostCloseDays',
          'Close comments after (days)',
          'With “closed after some days”: days after publishing (1 to 3650). Authors change it per post.',
        )}
      </fieldset>
      <fieldset>
        <legend>Discussion</legend>
        ${number('threadDepth', 'Thread depth', 'Nested replies up to this many levels (1 to 10).')}
        ${number('commentsPerPage', 'Top-level comments per page', 'From 1 to 500.')}
        <label for="defaultOrder">Show comments</label>
        <select id="defaultOrder" name="defaultOrder" ${described('defaultOrder')}>
          <option value="oldest" ${v.defaultOrder === 'oldest' && html` selected`}>
            Oldest first
          </option>
          <option value="newest" ${v.defaultOrder === 'newest' && html` selected`}>
            Newest first
          </option>
        </select>
        ${err('defaultOrder')}
        ${number(
          'editWindowMinutes',
          'Edit window (minutes)',
          'How long a commenter may edit a comment (0 to 10080).',
        )}
        ${number(
          'floodSeconds',
          'Flood interval (seconds)',
          'The least time between two comments of one person (0 to 3600).',
        )}
      </fieldset>
      <fieldset>
        <legend>Moderation</legend>
        ${check('requireApproval', 'A moderator must approve every comment')}
        ${check('guestsPreviouslyApproved', 'Guests must have had a comment approved before')}
        ${check('accountsPreviouslyApproved', 'Accounts must have had a comment approved before')}
        ${err('requirePreviouslyApproved')}
        ${number(
          'maxLinks',
          'Links threshold',
          'A comment with more links than the blog allows waits for a moderator (0 to 100).',
        )}
        ${words('holdWords', 'Hold words', 'One a line: a comment with one waits for a moderator.')}
        ${words('spamWords', 'Spam words', 'One a line: a comment with one goes to spam.')}
      </fieldset>
      <div class="actions"><button type="submit">Save settings</button></div>
    </form>`;
}
