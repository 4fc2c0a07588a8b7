import { type SafeHtml, html } from '../html';

export interface AccountFormState {
  values: { email?: string; displayName?: string };
  errors: Record<string, string>;
  formError: string | null;
}

/** An account form as first shown: empty, nothing to correct. */
export const blankAccountForm: AccountFormState = { values: {}, errors: {}, formError: null };

function input(
  name: string,
  label: string,
  type: string,
  state: AccountFormState,
  autocomplete: string,
): SafeHtml {
  const value =
    name === 'email'
      ? state.values.email
      : name === 'displayName'
        ? state.values.displayName
        : undefined;
  const error = state.errors[name];
  return html`<label for="${name}">${label}</label>
    <input
      id="${name}"
      name="${name}"
      type="${type}"
      autocomplete="${autocomplete}"
      required
      value="${value ?? ''}"
      ${error && html` aria-invalid="true" aria-describedby="${name}-error"`}
    />
    ${error && html`<p class="field-error" id="${name}-error">${error}</p>`}`;
}

/** The form's problem when it is not about one field. */
function formAlert(state: AccountFormState): SafeHtml | null {
  return state.formError ? html`<p class="form-error" role="alert">${state.formError}</p>` : null;
}

/** The form's CSRF token, and one more hidden field to send back. */
function hiddenFields(csrf: string, name: string, value: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrf}" /><input
        type="hidden"
        name="${name}"
        value="${value}"
      />`;
}

export function loginPage(csrf: string, next: string, state: AccountFormState): SafeHtml {
  return html`<h1>Log in</h1>
    ${formAlert(state)}
    <form method="post" action="/login" class="stacked">
      ${hiddenFields(csrf, 'next', next)}
      ${input('email', 'Email', 'email', state, 'email')}
      ${input('password', 'Password', 'password', state, 'current-password')}
      <div class="actions">
        <button type="submit">Log in</button> <a href="/register">Create an account</a>
      </div>
    </form>
    <p><a href="/forgot-password">Forgot your password?</a></p>`;
}

export function registerPage(csrf: string, next: string, state: AccountFormState): SafeHtml {
  return html`<h1>Create an account</h1>
    <p>
      We mail you a link to verify your address: check your mail. Until you follow it, Parley sends
      you no email (no replies, no subscriptions), though you can comment at once.
    </p>
    ${formAlert(state)}
    <form method="post" action="/register" class="stacked">
      ${hiddenFields(csrf, 'next', next)}
      ${input('displayName', 'Display name', 'text', state, 'nickname')}
      ${input('email', 'Email', 'email', state, 'email')}
      ${input('password', 'Password (at least 10 characters)', 'password', state, 'new-password')}
      <div class="actions">
        <button type="submit">Create account</button> <a href="/login">I have an account</a>
      </div>
    </form>`;
}

export function forgotPasswordPage(csrf: string, state: AccountFormState): SafeHtml {
  return html`<h1>Forgot your password?</h1>
    <p>Give the address of your account: we mail you a link to choose a new password.</p>
    ${formAlert(state)}
    <form method="post" action="/forgot-password" class="stacked">
      <input type="hidden" name="_csrf" value="${csrf}" />
      ${input('email', 'Email', 'email', state, 'email')}
      <div class="actions">
        <button type="submit">Mail me a link</button> <a href="/login">Back to log in</a>
      </div>
    </form>`;
}

export function resetPasswordPage(csrf: string, token: string, state: AccountFormState): SafeHtml {
  return html`<h1>Choose a new password</h1>
    ${formAlert(state)}
    <form method="post" action="/reset-password" class="stacked">
      ${hiddenFields(csrf, 'token', token)}
      ${input('password', 'New password (at least 10 characters)', 'password', state, 'new-password')}
      <div class="actions"><button type="submit">Set the password</button></div>
    </form>`;
}

export function messagePage(
  title: string,
  message: string,
  link?: { href: string; label: string },
): SafeHtml {
  return html`<h1>${title}</h1>
    <p>${message}</p>
    ${link && html`<p><a href="${link.href}">${link.label}</a></p>`}`;
}
