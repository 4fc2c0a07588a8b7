import type { AccountView } from '@parley/contracts';
import { type SafeHtml, html } from '../html';

/** Where a reader deletes their data (served by the erasure pages once they exist). */
export const ERASURE_REQUESTS_PATH = '/privacy/erasure-requests';

export interface PrivacyPageState {
  /** The logged-in account, which downloads its data at once. */
  account: AccountView | null;
  /** Whether the erasure requests are served here: the delete form is shown only then. */
  erasure: boolean;
  email: string;
  formError: string | null;
}

/** A reader's data: export it (an account at once, a guest by a mailed link), or delete it. */
export function privacyPage(csrf: string, state: PrivacyPageState): SafeHtml {
  return html`<h1>Your data</h1>
    <section id="export" aria-labelledby="export-title">
      <h2 id="export-title">Export my data</h2>
      <p>
        Everything this blog holds of you, as one JSON file: your comments with their posts and
        links, your likes, subscriptions, notifications and how each was delivered.
      </p>
      ${
        state.account &&
        html`<p>
          <a href="/account/personal-data" download data-export-account
            >Download the data of ${state.account.displayName}</a
          >
        </p>`
      }
      <p>${state.account ? 'Commented as a guest? ' : ''}Give the address you commented or subscribed with: we mail you a link that downloads your data for 24 hours.</p>
      ${state.formError && html`<p class="form-error" role="alert">${state.formError}</p>`}
      <form method="post" action="/privacy/export-requests" class="stacked" data-export-guest>
        <input type="hidden" name="_csrf" value="${csrf}" />
        <label for="export-email">Email</label>
        <input id="export-email" name="email" type="email" autocomplete="email" required value="${state.email}" />
        <div class="actions"><button type="submit">Mail me a link</button></div>
      </form>
    </section>
    <section id="delete" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete my data</h2>
      ${
        state.erasure
          ? html`<p>
                Give the address you commented or subscribed with: we mail you a link to confirm
                that your data is to be deleted.
              </p>
              <form method="post" action="${ERASURE_REQUESTS_PATH}" class="stacked" data-erasure>
                <input type="hidden" name="_csrf" value="${csrf}" />
                <label for="delete-email">Email</label>
                <input id="delete-email" name="email" type="email" autocomplete="email" required />
                <div class="actions"><button type="submit">Delete my data</button></div>
              </form>`
          : html`<p>To have your data deleted, write to the blog's owner.</p>`
      }
    </section>`;
}

/** The account's own page: who it is, and its data. */
export function accountPage(account: AccountView): SafeHtml {
  return html`<h1>Your account</h1>
    <dl>
      <dt>Name</dt>
      <dd>${account.displayName}</dd>
      <dt>Email</dt>
      <dd>${account.email}${account.emailVerified ? '' : ' (not confirmed yet)'}</dd>
    </dl>
    <p>
      <a href="/account/personal-data" download data-export-account>Export my data</a> ·
      <a href="/privacy#delete">Delete my data</a> ·
      <a href="/subscriptions/manage">Subscriptions</a>
    </p>`;
}
