import { type SafeHtml, html } from '../html';

export interface AccountFormState {
  values: { email?: string; displayName?: string };
  errors: Record<string, string>;
  formError: string | null;
}

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

export function loginPage(csrf: string, next: string, state: AccountFormState): SafeHtml {
  return html`<h1>Log in</h1>
    ${state.formError && html`<p class="form-error" role="alert">${state.formError}</p>`}
    <form method="post" action="/login" class="stacked">
      <input type="hidden" name="_csrf" value="${csrf}" /><input
        type="hidden"
        name="next"
        value="${next}"
      />
      ${input('email', 'Email', 'email', state, 'email')}
      ${input('password', 'Password', 'password', state, 'current-password')}
      <div class="actions">
        <button type="submit">Log in</button> <a href="/register">Create an account</a>
      </div>
    </form>`;
}

export function registerPage(csrf: string, next: string, state: AccountFormState): SafeHtml {
  return html`<h1>Create an account</h1>
    ${state.formError && html`<p class="form-error" role="alert">${state.formError}</p>`}
    <form method="post" action="/register" class="stacked">
      <input type="hidden" name="_csrf" value="${csrf}" /><input
        type="hidden"
        name="next"
        value="${next}"
      />
      ${input('displayName', 'Display name', 'text', state, 'nickname')}
      ${input('email', 'Email', 'email', state, 'email')}
      ${input('password', 'Password (at least 10 characters)', 'password', state, 'new-password')}
      <div class="actions">
        <button type="submit">Create account</button> <a href="/login">I have an account</a>
      </div>
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
