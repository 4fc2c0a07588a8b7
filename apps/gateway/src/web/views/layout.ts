import type { Actor } from '@parley/contracts';
import { type Renderable, type SafeHtml, html } from '../html';

export interface Viewer {
  actor: Actor;
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
  main: Renderable;
}

function roleLinks(viewer: Viewer | null): SafeHtml {
  if (!viewer) return html``;
  const roles = viewer.actor.roles;
  const admin = roles.includes('admin');
  return html`${(admin || roles.includes('author')) && html`<li><a href="/write">Write</a></li>`}${
    (admin || roles.includes('moderator') || roles.includes('author')) &&
    html`<li><a href="/moderation">Moderation</a></li>`
  }`;
}

/** The frame of every page: header with the account links and the bell, main content, footer. */
export function layout(page: PageShell): SafeHtml {
  const data = Object.entries(page.dataset ?? {}).map(
    ([key, value]) => html` data-${key}="${value}"`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="csrf-token" content="${page.csrf}">
${page.description && html`<meta name="description" content="${page.description}" />`}
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
                <a href="/notifications" class="bell" aria-label="Notifications"
                  ><span aria-hidden="true">🔔</span
                  ><span class="bell-count" data-unread hidden>0</span></a
                >
              </li>
              <li><span class="who">${page.viewer.actor.displayName}</span></li>
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
<main id="main" tabindex="-1">
${page.main}
</main>
<footer class="site-footer"><p>Comments by Parley · <a href="/api/docs">API</a></p></footer>
</body>
</html>`;
}
