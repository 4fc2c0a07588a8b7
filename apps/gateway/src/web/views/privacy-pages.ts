import type { AccountView } from '@parley/contracts';
import { type SafeHtml, html } from '../html';

/** Where a guest asks for their data to be deleted, and where the mailed link confirms it. */
export const ERASURE_REQUESTS_PATH = '/privacy/erasure-requests';
export const ERASURE_CONFIRM_PATH = '/privacy/erase';

export type ErasureChoice = 'anonymize' | 'remove';

const ERASURE_OUTCOMES: Record<ErasureChoice, string> = {
  anonymize: 'your comments stay, shown as by "Deleted reader"',
  remove: 'the text of your comments is removed (replies to them stay)',
};

export interface PrivacyPageState {
  /** The logged-in account, which downloads its data at once. */
  account: AccountView | null;
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
      <p>
        Give the address you commented or subscribed with: we mail you a link to confirm that your
        name, address and website are to be erased and your subscriptions ended.
      </p>
      <form method="post" action="${ERASURE_REQUESTS_PATH}" class="stacked" data-erasure>
        <input type="hidden" name="_csrf" value="${csrf}" />
        <label for="delete-email">Email</label>
        <input id="delete-email" name="email" type="email" autocomplete="email" required />
        <fieldset>
          <legend>Your comments</legend>
          <label><input type="radio" name="mode" value="anonymize" checked /> Keep them, shown as by "Deleted reader"</label>
          <label><input type="radio" name="mode" value="remove" /> Remove their text (replies to them stay)</label>
        </fieldset>
        <div class="actions"><button type="submit">Delete my data</button></div>
      </form>
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

/** What a mailed erasure link does, and the button that does it (a GET erases nothing). */
export function erasureConfirmPage(csrf: string, token: string, mode: ErasureChoice): SafeHtml {
  return html`<h1>Delete my data</h1>
    <p>
      Your name, address and website are erased from this blog, your subscriptions end and nothing
      is mailed to you again; ${ERASURE_OUTCOMES[mode]}. This cannot be undone.
    </p>
    <form method="post" action="${ERASURE_CONFIRM_PATH}" class="stacked" data-erasure-confirm>
      <input type="hidden" name="_csrf" value="${csrf}" />
      <input type="hidden" name="token" value="${token}" />
      <div class="actions"><button type="submit">Erase my data</button></div>
    </form>`;
}
