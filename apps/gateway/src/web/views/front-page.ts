import type { PostPage } from '@parley/contracts';
import { type SafeHtml, html } from '../html';
import { formatDate } from './thread';

export function frontPage(
  page: PostPage,
  filter: { tag?: string; category?: string; series?: string },
): SafeHtml {
  const heading = filter.tag
    ? `Tagged #${filter.tag}`
    : filter.category
      ? `Category: ${filter.category}`
      : filter.series
        ? `Series: ${filter.series}`
        : null;
  const query = new URLSearchParams(
    Object.entries(filter).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return html`${heading ? html`<h1>${heading}</h1>` : html`<h1 class="visually-plain">Latest posts</h1>`}
    ${page.items.length === 0 ? html`<p class="muted">Nothing published yet.</p>` : ''}
    <ul class="post-list">
      ${page.items.map(
        (post) =>
          html`<li>
            <h2><a href="/posts/${post.slug}">${post.title}</a></h2>
            <p class="byline">
              ${post.author.displayName}${post.publishedAt && html` · <time datetime="${post.publishedAt}">${formatDate(post.publishedAt)}</time>`}
              · ${post.commentCount} ${post.commentCount === 1 ? 'comment' : 'comments'} ·
              ${post.likeCount} ${post.likeCount === 1 ? 'like' : 'likes'}
            </p>
            <p>${post.excerpt}</p>
          </li>`,
      )}
    </ul>
    ${page.nextCursor && html`<nav class="pagination" aria-label="Posts"><span></span><a href="/?${query.toString() ? `${query.toString()}&` : ''}cursor=${encodeURIComponent(page.nextCursor)}" rel="next">Older posts →</a></nav>`}`;
}
