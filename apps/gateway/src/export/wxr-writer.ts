import { createHash } from 'node:crypto';
import type {
  CommentStatus,
  ExportedComment,
  ExportedPost,
  PostStatusView,
} from '@parley/contracts';
import { renderPostMarkdown } from '@parley/text';
import { wordpressIdOf } from '@parley/domain';

/** What an export reads the blog through, a page at a time, whatever stack it runs on. */
export interface ExportSource {
  posts(status: PostStatusView): AsyncIterable<ExportedPost>;
  comments(postId: string): AsyncIterable<ExportedComment>;
}

export interface WxrSite {
  title: string;
  description: string;
  /** The blog's public address, without a trailing slash. */
  url: string;
}

export interface WxrOptions {
  site: WxrSite;
  /** Guests' email addresses go in only when an admin exports (they are never shown otherwise). */
  personalData: boolean;
  now?: Date;
  /** Called after each post is written, with the comments written so far. */
  onProgress?: (progress: { posts: number; comments: number }) => void;
}

/** The channel's lists, which WXR puts before the items: gathered in a first pass over the posts. */
export interface WxrChannel {
  authors: { accountId: string; login: string; displayName: string }[];
  categories: string[];
  tags: string[];
  posts: number;
}

/** Every status a post can be exported in, in the order the items are written. */
export const EXPORTED_POST_STATUSES: readonly PostStatusView[] = [
  'published',
  'scheduled',
  'draft',
];

const WP_POST_STATUS: Record<PostStatusView, string> = {
  published: 'publish',
  scheduled: 'future',
  draft: 'draft',
};

const WP_COMMENT_APPROVED: Record<CommentStatus, string> = {
  approved: '1',
  pending: '0',
  spam: 'spam',
  trash: 'trash',
};

/** Characters XML 1.0 forbids even inside CDATA (controls, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function xmlSafe(text: string): string {
  return text.replace(NOT_XML, '');
}

/** Text as element content or an attribute value. */
export function xmlEscape(text: string): string {
  return xmlSafe(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Text in a CDATA section; a `]]>` inside is split across two sections so it cannot close it. */
export function cdata(text: string): string {
  return `<![CDATA[${xmlSafe(text).replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** WordPress's `YYYY-MM-DD HH:MM:SS`, in UTC (Parley keeps no time zone of the blog). */
export function wordpressDate(iso: string | null): string {
  if (iso === null) return '0000-00-00 00:00:00';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '0000-00-00 00:00:00';
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The integer id WordPress needs for something born in Parley: the one Parley's WordPress
 * routes answer for it, stable across exports and above every imported WordPress id.
 */
export function stableIntegerId(id: string): string {
  return String(wordpressIdOf(id));
}

/** A term's or author's name as a WordPress slug (`category_nicename`, a login). */
export function nicename(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || `term-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

const INTEGER = /^[1-9]\d{0,18}$/;

/** Reads the posts once for the channel's lists: who wrote them, their categories and tags. */
export async function gatherChannel(source: ExportSource): Promise<WxrChannel> {
  const authors = new Map<string, string>();
  const categories = new Map<string, string>();
  const tags = new Map<string, string>();
  let posts = 0;
  for (const status of EXPORTED_POST_STATUSES) {
    for await (const post of source.posts(status)) {
      posts += 1;
      authors.set(post.author.id, post.author.displayName);
      for (const c of post.categories)
        if (!categories.has(c.toLowerCase())) categories.set(c.toLowerCase(), c);
      for (const t of post.tags) if (!tags.has(t.toLowerCase())) tags.set(t.toLowerCase(), t);
    }
  }
  const logins = new Set<string>();
  return {
    authors: [...authors].map(([accountId, displayName]) => {
      let login = nicename(displayName);
      // Two accounts may share a name; their logins may not.
      if (logins.has(login)) login = `${login}-${accountId.replace(/[^a-zA-Z0-9]/g, '').slice(-8)}`;
      logins.add(login);
      return { login, displayName, accountId };
    }),
    categories: [...categories.values()],
    tags: [...tags.values()],
    posts,
  };
}

function element(name: string, value: string, asCdata = false): string {
  if (value === '') return `<${name}></${name}>`;
  return `<${name}>${asCdata ? cdata(value) : xmlEscape(value)}</${name}>`;
}

function header(site: WxrSite, now: Date): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!-- This is a WordPress eXtended RSS file generated by Parley as an export of its blog: import it with the WordPress importer (Tools: Import). -->',
    '<rss version="2.0"',
    '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"',
    '\txmlns:content="http://purl.org/rss/1.0/modules/content/"',
    '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"',
    '\txmlns:dc="http://purl.org/dc/elements/1.1/"',
    '\txmlns:wp="http://wordpress.org/export/1.2/"',
    '>',
    '<channel>',
    `\t${element('title', site.title)}`,
    `\t${element('link', site.url)}`,
    `\t${element('description', site.description)}`,
    `\t${element('pubDate', now.toUTCString().replace('GMT', '+0000'))}`,
    '\t<language>en</language>',
    '\t<wp:wxr_version>1.2</wp:wxr_version>',
    `\t${element('wp:base_site_url', site.url)}`,
    `\t${element('wp:base_blog_url', site.url)}`,
    '',
  ].join('\n');
}

function authorEntry(author: { login: string; displayName: string }, index: number): string {
  return [
    '\t<wp:author>',
    `\t\t<wp:author_id>${index + 1}</wp:author_id>`,
    `\t\t${element('wp:author_login', author.login, true)}`,
    '\t\t<wp:author_email></wp:author_email>',
    `\t\t${element('wp:author_display_name', author.displayName, true)}`,
    '\t\t<wp:author_first_name><![CDATA[]]></wp:author_first_name>',
    '\t\t<wp:author_last_name><![CDATA[]]></wp:author_last_name>',
    '\t</wp:author>',
    '',
  ].join('\n');
}

function termEntry(kind: 'category' | 'tag', name: string, index: number): string {
  const lines =
    kind === 'category'
      ? [
          '\t<wp:category>',
          `\t\t<wp:term_id>${index + 1}</wp:term_id>`,
          `\t\t${element('wp:category_nicename', nicename(name), true)}`,
          '\t\t<wp:category_parent></wp:category_parent>',
          `\t\t${element('wp:cat_name', name, true)}`,
          '\t</wp:category>',
        ]
      : [
          '\t<wp:tag>',
          `\t\t<wp:term_id>${index + 1}</wp:term_id>`,
          `\t\t${element('wp:tag_slug', nicename(name), true)}`,
          `\t\t${element('wp:tag_name', name, true)}`,
          '\t</wp:tag>',
        ];
  return `${lines.join('\n')}\n`;
}

/** Integer ids for one export: WordPress's own where a thing was imported, else a stable one. */
class IdAllocator {
  private readonly used = new Set<string>();

  allocate(parleyId: string, wordpressId: string | undefined | null): string {
    const kept = wordpressId && INTEGER.test(wordpressId) ? wordpressId : null;
    // Two imported blogs may have used the same number: the second gets an id of its own.
    const id = kept && !this.used.has(kept) ? kept : stableIntegerId(parleyId);
    this.used.add(id);
    return id;
  }
}

function commentEntry(
  comment: ExportedComment,
  id: string,
  parent: string,
  personalData: boolean,
): string {
  const email =
    personalData && comment.author.email && !/\.invalid$/i.test(comment.author.email)
      ? comment.author.email
      : '';
  return [
    '\t\t<wp:comment>',
    `\t\t\t<wp:comment_id>${id}</wp:comment_id>`,
    `\t\t\t${element('wp:comment_author', comment.author.name, true)}`,
    `\t\t\t${element('wp:comment_author_email', email, true)}`,
    `\t\t\t${element('wp:comment_author_url', comment.author.url ?? '')}`,
    '\t\t\t<wp:comment_author_IP></wp:comment_author_IP>',
    `\t\t\t<wp:comment_date>${wordpressDate(comment.postedAt)}</wp:comment_date>`,
    `\t\t\t<wp:comment_date_gmt>${wordpressDate(comment.postedAt)}</wp:comment_date_gmt>`,
    `\t\t\t${element('wp:comment_content', comment.html, true)}`,
    `\t\t\t<wp:comment_approved>${WP_COMMENT_APPROVED[comment.status]}</wp:comment_approved>`,
    `\t\t\t${element('wp:comment_type', comment.kind === 'comment' ? '' : comment.kind)}`,
    `\t\t\t<wp:comment_parent>${parent}</wp:comment_parent>`,
    '\t\t\t<wp:comment_user_id>0</wp:comment_user_id>',
    '\t\t</wp:comment>',
    '',
  ].join('\n');
}

/** A post's comments, each after the one it answers, so a reader of the file meets parents first. */
function parentsFirst(comments: readonly ExportedComment[]): ExportedComment[] {
  const byId = new Map(comments.map((c) => [c.id, c]));
  const done = new Set<string>();
  const ordered: ExportedComment[] = [];
  const visit = (comment: ExportedComment, path: Set<string>) => {
    if (done.has(comment.id) || path.has(comment.id)) return;
    path.add(comment.id);
    const parent = comment.parentId ? byId.get(comment.parentId) : undefined;
    if (parent) visit(parent, path);
    done.add(comment.id);
    ordered.push(comment);
  };
  for (const comment of comments) visit(comment, new Set());
  return ordered;
}

function postDate(post: ExportedPost): string | null {
  if (post.status === 'published') return post.publishedAt ?? post.updatedAt;
  if (post.status === 'scheduled') return post.publishAt ?? post.draftedAt;
  return post.draftedAt;
}

function itemEntry(
  post: ExportedPost,
  id: string,
  login: string,
  site: WxrSite,
  comments: string[],
): string {
  const date = postDate(post);
  const terms = [
    ...post.categories.map(
      (c) =>
        `\t\t<category domain="category" nicename="${xmlEscape(nicename(c))}">${cdata(c)}</category>`,
    ),
    ...post.tags.map(
      (t) =>
        `\t\t<category domain="post_tag" nicename="${xmlEscape(nicename(t))}">${cdata(t)}</category>`,
    ),
  ];
  return [
    '\t<item>',
    `\t\t${element('title', post.title)}`,
    `\t\t${element('link', `${site.url}/posts/${encodeURIComponent(post.slug)}`)}`,
    `\t\t${element('pubDate', post.publishedAt ? new Date(post.publishedAt).toUTCString().replace('GMT', '+0000') : '')}`,
    `\t\t${element('dc:creator', login, true)}`,
    `\t\t<guid isPermaLink="false">${xmlEscape(`${site.url}/?p=${id}`)}</guid>`,
    '\t\t<description></description>',
    `\t\t${element('content:encoded', renderPostMarkdown(post.body), true)}`,
    `\t\t${element('excerpt:encoded', post.ownExcerpt ? post.excerpt : '', true)}`,
    `\t\t<wp:post_id>${id}</wp:post_id>`,
    `\t\t<wp:post_date>${wordpressDate(date)}</wp:post_date>`,
    `\t\t<wp:post_date_gmt>${wordpressDate(post.status === 'draft' ? null : date)}</wp:post_date_gmt>`,
    `\t\t<wp:post_modified>${wordpressDate(post.updatedAt)}</wp:post_modified>`,
    `\t\t<wp:post_modified_gmt>${wordpressDate(post.updatedAt)}</wp:post_modified_gmt>`,
    `\t\t<wp:comment_status>${post.commentSettings.mode === 'closed' ? 'closed' : 'open'}</wp:comment_status>`,
    '\t\t<wp:ping_status>closed</wp:ping_status>',
    `\t\t${element('wp:post_name', post.slug, true)}`,
    `\t\t<wp:status>${WP_POST_STATUS[post.status]}</wp:status>`,
    '\t\t<wp:post_parent>0</wp:post_parent>',
    '\t\t<wp:menu_order>0</wp:menu_order>',
    '\t\t<wp:post_type>post</wp:post_type>',
    '\t\t<wp:post_password></wp:post_password>',
    '\t\t<wp:is_sticky>0</wp:is_sticky>',
    ...terms,
    '',
  ]
    .join('\n')
    .concat(comments.join(''))
    .concat('\t</item>\n');
}

/**
 * The blog as WXR 1.2, the WordPress export format, a post at a time: the channel with its
 * authors, categories and tags, then each post with its comments (every status, threaded by
 * `wp:comment_parent`). Only one post's comments are held at once.
 */
export async function* writeWxr(
  source: ExportSource,
  channel: WxrChannel,
  options: WxrOptions,
): AsyncGenerator<string> {
  const { site } = options;
  yield header(site, options.now ?? new Date());
  yield channel.authors.map(authorEntry).join('');
  yield channel.categories.map((c, i) => termEntry('category', c, i)).join('');
  yield channel.tags.map((t, i) => termEntry('tag', t, i)).join('');
  const logins = new Map(channel.authors.map((a) => [a.accountId, a.login]));
  const postIds = new IdAllocator();
  const commentIds = new IdAllocator();
  let posts = 0;
  let written = 0;
  for (const status of EXPORTED_POST_STATUSES) {
    for await (const post of source.posts(status)) {
      const comments: ExportedComment[] = [];
      for await (const comment of source.comments(post.id)) comments.push(comment);
      const ids = new Map<string, string>();
      const entries = parentsFirst(comments).map((comment) => {
        const id = commentIds.allocate(comment.id, comment.imported?.id);
        ids.set(comment.id, id);
        // A reply whose parent was deleted for good stands at the top level.
        const parent = (comment.parentId && ids.get(comment.parentId)) || '0';
        return commentEntry(comment, id, parent, options.personalData);
      });
      const login = logins.get(post.author.id) ?? nicename(post.author.displayName);
      yield itemEntry(post, postIds.allocate(post.id, post.wordpressId), login, site, entries);
      posts += 1;
      written += comments.length;
      options.onProgress?.({ posts, comments: written });
    }
  }
  yield '</channel>\n</rss>\n';
}
