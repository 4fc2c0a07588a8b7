import type { ImportView } from '@parley/contracts';
import { type SafeHtml, html } from '../html';

const STATES: Record<ImportView['state'], string> = {
  queued: 'Waiting for the import before it to finish',
  checking: 'Reading the file through',
  importing: 'Importing',
  done: 'Done',
  failed: 'Failed',
};

/** The author's form: a WordPress export (Tools → Export) to bring in. */
export function importFormPage(csrf: string, maxMegabytes: number): SafeHtml {
  return html`<h1>Import from WordPress</h1>
    <p>
      Choose the file WordPress gave you under Tools → Export (all content). Posts, categories,
      tags and comments come in with their threads, dates and statuses; nobody is notified, and
      the same file again adds nothing. Up to ${String(maxMegabytes)} MiB.
    </p>
    <form method="post" action="/desk/import" enctype="multipart/form-data" data-import-form>
      <input type="hidden" name="_csrf" value="${csrf}" />
      <p>
        <label for="import-file">WordPress export (.xml)</label>
        <input
          id="import-file"
          name="file"
          type="file"
          accept=".xml,application/xml,text/xml,application/rss+xml"
          required
        />
      </p>
      <p><button type="submit">Import</button></p>
    </form>
    <p><a href="/desk/posts">Back to your posts</a></p>`;
}

function summaryOf(view: ImportView): SafeHtml {
  const summary = view.summary;
  if (!summary) return html``;
  const { posts, comments } = summary;
  const skipped = Object.entries(summary.skipped).filter(([, n]) => n > 0);
  return html`<dl class="plain" data-import-summary>
    <dt>Posts</dt>
    <dd data-import-posts>
      ${String(posts.added)} new, ${String(posts.existing)} already here
      (${String(posts.published)} published, ${String(posts.scheduled)} scheduled,
      ${String(posts.draft)} drafts)
    </dd>
    <dt>Comments</dt>
    <dd data-import-comments>
      ${String(comments.added)} new, ${String(comments.existing)} already here
      (${String(comments.byStatus.approved)} approved, ${String(comments.byStatus.pending)}
      pending, ${String(comments.byStatus.spam)} spam, ${String(comments.byStatus.trash)} trash;
      ${String(comments.byKind.pingback)} pingbacks, ${String(comments.byKind.trackback)}
      trackbacks)
    </dd>
    <dt>Authors</dt>
    <dd>
      ${String(summary.authors.inFile)} in the file, ${String(summary.authors.matchedAccounts)}
      matched to accounts here by address
    </dd>
    <dt>Categories and tags</dt>
    <dd>${String(summary.categories)} categories, ${String(summary.tags)} tags</dd>
    <dt>Left out</dt>
    <dd>
      ${
        skipped.length === 0
          ? 'Nothing'
          : html`<ul>
              ${skipped.map(([reason, n]) => html`<li>${String(n)} ${reason}</li>`)}
            </ul>`
      }
    </dd>
  </dl>`;
}

/** How far an upload has come; the page reloads itself until the import is over. */
export function importProgressPage(view: ImportView): SafeHtml {
  const { done, total } = view.items;
  return html`<h1>Import from WordPress</h1>
    <p role="status" data-import-state="${view.state}">
      ${STATES[view.state]}${
        view.state === 'importing' || view.state === 'queued'
          ? html`: ${String(done)} of ${total === null ? '…' : String(total)} items`
          : html``
      }
    </p>
    ${view.failure && html`<p class="error">${view.failure.reason}</p>`} ${summaryOf(view)}
    <p>
      ${
        view.state === 'done' || view.state === 'failed'
          ? html`<a href="/desk/posts">Your posts</a> · <a href="/desk/import">Import another file</a>`
          : html`<a href="/desk/imports/${view.id}">Check again</a>`
      }
    </p>`;
}
