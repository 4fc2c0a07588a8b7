export interface FeedItem {
  title: string;
  /** Absolute URL of the item's page. */
  link: string;
  /** Stable identity of the item, not a URL (a slug may change). */
  guid: string;
  published: Date;
  author: string;
  /** HTML (already sanitized); sent escaped, as RSS readers expect. */
  descriptionHtml: string;
  categories?: readonly string[];
}

export interface FeedChannel {
  title: string;
  /** Absolute URL of the page the feed follows. */
  link: string;
  /** Absolute URL of the feed itself. */
  self: string;
  description: string;
  items: readonly FeedItem[];
}

// Characters XML 1.0 forbids even when escaped: a comment holding one would break the whole feed.
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(value: string): string {
  return value
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** When the feed last changed: its newest item, or the epoch for an empty feed. */
export function feedUpdatedAt(channel: FeedChannel): Date {
  return channel.items.reduce(
    (latest, item) => (item.published > latest ? item.published : latest),
    new Date(0),
  );
}

/** An RSS 2.0 document (with atom:link rel=self, as validators ask). */
export function rssFeed(channel: FeedChannel): string {
  const items = channel.items.map(
    (item) => `<item>
<title>${xmlText(item.title)}</title>
<link>${xmlText(item.link)}</link>
<guid isPermaLink="false">${xmlText(item.guid)}</guid>
<pubDate>${item.published.toUTCString()}</pubDate>
<dc:creator>${xmlText(item.author)}</dc:creator>
${(item.categories ?? []).map((c) => `<category>${xmlText(c)}</category>\n`).join('')}<description>${xmlText(item.descriptionHtml)}</description>
</item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>${xmlText(channel.title)}</title>
<link>${xmlText(channel.link)}</link>
<atom:link href="${xmlText(channel.self)}" rel="self" type="application/rss+xml"/>
<description>${xmlText(channel.description)}</description>
<lastBuildDate>${feedUpdatedAt(channel).toUTCString()}</lastBuildDate>
<generator>Parley</generator>
${items.join('\n')}
</channel>
</rss>
`;
}
