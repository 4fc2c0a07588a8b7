import { type Actor, can } from '@parley/contracts';
import { type Renderable, type SafeHtml, html } from '../html';

export interface Viewer {
  actor: Actor;
  /** False until the reader confirms their address: no mail reaches them before. */
  emailVerified?: boolean;
  /** Unread notifications, when known. */
  unread?: number;
}

export interface PageShell {
  title: string;
  blogTitle: string;
  viewer: Viewer | null;
  csrf: string;
  /** Shown under the header, e.g. "Your address is confirmed". */
  notice?: string | null;
  description?: string;
  /** Feeds of this page besides the blog's posts feed (a post's comments). */
  feeds?: readonly { title: string; href: string }[];
  /** Attributes the script reads (post id, stream URLs). */
  dataset?: Record<string, string>;
  /** Reloads the page after this many seconds (a page showing work in progress). */
  refreshSeconds?: number;
  main: Renderable;
}

function roleLinks(viewer: Viewer | null): SafeHtml {
  if (!viewer) return html``;
  const admin = can(viewer.actor, 'administer');
  const writes = can(viewer.actor, 'write');
  return html`${writes && html`<li><a href="/write">Write</a></li><li><a href="/desk/posts">Posts</a></li>`}${
    (writes || can(viewer.actor, 'moderate')) && html`<li><a href="/moderation">Moderation</a></li>`
  }${admin && html`<li><a href="/settings">Settings</a></li>`}`;
}

/** The frame of every page: header with the account links and the bell, main content, footer. */
function unverifiedNotice(viewer: Viewer | null, csrf: string): SafeHtml {
  if (viewer?.emailVerified !== false) return html``;
  return html`<div class="notice unverified" role="status">
    <p>
      Check your mail for the link that verifies your address. Until you follow it, Parley sends
      you no email: no replies, no subscriptions.
    </p>
    <form method="post" action="/account/resend-verification" class="inline">
      <input type="hidden" name="_csrf" value="${csrf}" /><button type="submit" class="secondary">
        Send the link again
      </button>
    </form>
  </div>`;
}

export function layout(page: PageShell): SafeHtml {
  // The script keeps the bell current on every page of a signed-in reader.
  const dataset = {
    ...(page.dataset ?? {}),
    ...(page.viewer ? { 'logged-in': 'true', 'account-id': page.viewer.actor.accountId } : {}),
  };
  const data = Object.entries(dataset).map(([key, value]) => html` data-${key}="${value}"`);
  const unread = page.viewer?.unread ?? 0;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="csrf-token" content="${page.csrf}">
${page.description && html`<meta name="description" content="${page.description}" />`}
${page.refreshSeconds !== undefined && html`<meta http-equiv="refresh" content="${String(page.refreshSeconds)}">`}
<title>${page.title}</title>
<link rel="alternate" type="application/rss+xml" title="${page.blogTitle}" href="/feed">
${(page.feeds ?? []).map(
  (
    feed,
  ) => html`<link rel="alternate" type="application/rss+xml" title="${feed.title}" href="${feed.href}">
`,
)}<link rel="stylesheet" href="/assets/parley.css">
<script src="/assets/parley.js" defer></script>
</head>
<body${data}>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
  <p class="site-title"><a href="/">${page.blogTitle}</a></p>
  <nav aria-label="Account">
    <ul>
      ${roleLinks(page.viewer)}
      ${
        page.viewer
          ? html`<li>
                <a
                  href="/notifications"
                  class="bell"
                  aria-label="${unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}"
                  ><span aria-hidden="true">🔔</span
                  ><span class="bell-count" data-unread ${unread > 0 ? '' : 'hidden'}
                    >${unread}</span
                  ></a
                >
              </li>
              <li><a href="/subscriptions/manage">Subscriptions</a></li>
              <li><a href="/account" class="who">${page.viewer.actor.displayName}</a></li>
              <li>
                <form method="post" action="/logout" class="inline">
                  <input type="hidden" name="_csrf" value="${page.csrf}" /><button
                    type="submit"
                    class="link"
                  >
                    Log out
                  </button>
                </form>
              </li>`
          : html`<li><a href="/login">Log in</a></li>
              <li><a href="/register">Register</a></li>`
      }
    </ul>
  </nav>
</header>
${page.notice && html`<p class="notice" role="status">${page.notice}</p>`}
${unverifiedNotice(page.viewer, page.csrf)}
<main id="main" tabindex="-1">
${page.main}
</main>
<footer class="site-footer"><p>Comments by Parley · <a href="/api/docs">API</a></p></footer>
</body>
</html>`;
}
