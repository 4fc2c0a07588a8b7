import type { FieldError } from '@parley/platform';
import { type SafeHtml, html } from '../html';
import type { Viewer } from './layout';

export interface CommentFormState {
  values: {
    body?: string;
    name?: string;
    email?: string;
    url?: string;
    notifyComments?: boolean;
    notifyPosts?: boolean;
  };
  /** Field errors from the problem, by field name. */
  errors: Record<string, string>;
  /** The problem's title when it is not about one field (flood, duplicate, closed). */
  formError: string | null;
}

export const emptyForm: CommentFormState = { values: {}, errors: {}, formError: null };

/** Maps a problem's field errors to the form's inputs. */
export function formErrors(errors: readonly FieldError[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of errors ?? []) {
    const field = error.field.replace(/^author\./, '');
    if (!out[field]) out[field] = error.reason;
  }
  return out;
}

function field(
  name: string,
  label: string,
  type: string,
  value: string | undefined,
  errors: Record<string, string>,
  options: { required?: boolean; autocomplete?: string; help?: string } = {},
): SafeHtml {
  const error = errors[name];
  return html`<label for="comment-${name}"
      >${label}${options.required && html` <span aria-hidden="true">*</span>`}</label
    >
    <input
      id="comment-${name}"
      name="${name}"
      type="${type}"
      value="${value ?? ''}"
      ${options.required && html` required`}${options.autocomplete && html` autocomplete="${options.autocomplete}"`}${error && html` aria-invalid="true" aria-describedby="comment-${name}-error"`}
    />
    ${options.help && html`<span class="muted">${options.help}</span>`}
    ${error && html`<p class="field-error" id="comment-${name}-error">${error}</p>`}`;
}

/** A box to tick for mail of what is new (sent as 1 when ticked). */
function notifyBox(
  id: string,
  name: string,
  checked: boolean | undefined,
  label: string,
): SafeHtml {
  return html`<div class="check">
        <input
          type="checkbox"
          id="${id}"
          name="${name}"
          value="1"
          ${checked && html` checked`}
        /><label for="${id}">${label}</label>
      </div>`;
}

/** "Leave a Reply": under the thread, and moved under a comment when replying (by the script or ?replyTo=). */
export function commentForm(input: {
  postId: string;
  slug: string;
  csrf: string;
  viewer: Viewer | null;
  replyTo: { id: string; name: string } | null;
  open: boolean;
  page: number;
  state: CommentFormState;
}): SafeHtml {
  if (!input.open) {
    return html`<div id="respond" class="respond"><p class="muted">Comments are closed.</p></div>`;
  }
  const { values, errors } = input.state;
  return html`<div id="respond" class="respond">
    <h3 id="reply-title">
      ${input.replyTo ? html`Reply to ${input.replyTo.name} <a href="/posts/${input.slug}#respond" class="cancel-reply" data-cancel-reply>Cancel reply</a>` : 'Leave a Reply'}
    </h3>
    <form
      method="post"
      action="/posts/${input.slug}/comments"
      class="stacked comment-form"
      data-post-id="${input.postId}"
      novalidate
    >
      <input type="hidden" name="_csrf" value="${input.csrf}" />
      <input type="hidden" name="parentId" value="${input.replyTo?.id ?? ''}" />
      <input type="hidden" name="cpage" value="${input.page}" />
      <div
        class="form-error"
        role="alert"
        data-form-error${input.state.formError ? html`` : html` hidden`}
      >
        ${input.state.formError ?? ''}
      </div>
      <label for="comment-body">Comment <span aria-hidden="true">*</span></label>
      <textarea
        id="comment-body"
        name="body"
        required
        placeholder="Wade in…"
        ${errors.body && html` aria-invalid="true" aria-describedby="comment-body-error"`}
      >
${values.body ?? ''}</textarea>
      ${errors.body && html`<p class="field-error" id="comment-body-error">${errors.body}</p>`}
      ${
        input.viewer
          ? html`<p class="muted">Logged in as ${input.viewer.actor.displayName}.</p>`
          : html`<p class="muted">
                Your email address will not be published. Or
                <a href="/login?next=/posts/${input.slug}%23respond">log in</a>.
              </p>
              ${field('name', 'Name', 'text', values.name, errors, { required: true, autocomplete: 'name' })}
              ${field('email', 'Email', 'email', values.email, errors, { required: true, autocomplete: 'email' })}
              ${field('url', 'Website', 'url', values.url, errors, { autocomplete: 'url' })}`
      }
      ${notifyBox('notify-comments', 'notifyComments', values.notifyComments, 'Notify me of new comments via email.')}
      ${notifyBox('notify-posts', 'notifyPosts', values.notifyPosts, 'Notify me of new posts via email.')}
      <div class="actions"><button type="submit">Post Comment</button></div>
    </form>
  </div>`;
}
