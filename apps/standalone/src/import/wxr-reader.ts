import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagPlain } from 'saxes';

/** The channel of a WordPress export: which site it comes from. */
export interface WxrSite {
  title: string;
  /** The blog's address (`<wp:base_blog_url>`, else the channel's `<link>`): the import's key. */
  url: string;
  wxrVersion: string;
}

export interface WxrAuthor {
  login: string;
  email: string;
  displayName: string;
}

export interface WxrTerm {
  /** `category` or `post_tag` (others, such as `post_format`, are kept as they come). */
  domain: string;
  slug: string;
  name: string;
}

export interface WxrComment {
  id: string;
  /** `0` for a top-level comment. */
  parentId: string;
  authorName: string;
  authorEmail: string;
  authorUrl: string;
  /** `YYYY-MM-DD HH:MM:SS` in UTC, or WordPress's zero date when unknown. */
  dateGmt: string;
  /** The same in the site's time zone. */
  date: string;
  content: string;
  /** `1`, `0`, `spam` or `trash`. */
  approved: string;
  /** Empty (a comment), `comment`, `pingback` or `trackback`. */
  type: string;
  userId: string;
}

export interface WxrItem {
  postId: string;
  /** `post`, `page`, `attachment`, `nav_menu_item`, … */
  postType: string;
  /** `publish`, `draft`, `future`, `private`, `pending`, `trash`, `inherit`. */
  status: string;
  title: string;
  slug: string;
  link: string;
  /** The author's login (`<dc:creator>`). */
  creator: string;
  content: string;
  excerpt: string;
  dateGmt: string;
  date: string;
  commentStatus: string;
  password: string;
  terms: WxrTerm[];
  comments: WxrComment[];
}

export type WxrRecord =
  | { type: 'site'; site: WxrSite }
  | { type: 'author'; author: WxrAuthor }
  | { type: 'category' }
  | { type: 'tag' }
  | { type: 'item'; item: WxrItem };

/** Why a file cannot be read as a WordPress export; the message is for the person importing. */
export class WxrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WxrError';
  }
}

const COMMENT_FIELDS: Record<string, keyof WxrComment> = {
  'wp:comment_id': 'id',
  'wp:comment_parent': 'parentId',
  'wp:comment_author': 'authorName',
  'wp:comment_author_email': 'authorEmail',
  'wp:comment_author_url': 'authorUrl',
  'wp:comment_date_gmt': 'dateGmt',
  'wp:comment_date': 'date',
  'wp:comment_content': 'content',
  'wp:comment_approved': 'approved',
  'wp:comment_type': 'type',
  'wp:comment_user_id': 'userId',
};

const ITEM_FIELDS: Record<string, Exclude<keyof WxrItem, 'terms' | 'comments'>> = {
  'wp:post_id': 'postId',
  'wp:post_type': 'postType',
  'wp:status': 'status',
  title: 'title',
  'wp:post_name': 'slug',
  link: 'link',
  'dc:creator': 'creator',
  'content:encoded': 'content',
  'excerpt:encoded': 'excerpt',
  'wp:post_date_gmt': 'dateGmt',
  'wp:post_date': 'date',
  'wp:comment_status': 'commentStatus',
  'wp:post_password': 'password',
};

const AUTHOR_FIELDS: Record<string, keyof WxrAuthor> = {
  'wp:author_login': 'login',
  'wp:author_email': 'email',
  'wp:author_display_name': 'displayName',
};

function emptyItem(): WxrItem {
  return {
    postId: '',
    postType: '',
    status: '',
    title: '',
    slug: '',
    link: '',
    creator: '',
    content: '',
    excerpt: '',
    dateGmt: '',
    date: '',
    commentStatus: '',
    password: '',
    terms: [],
    comments: [],
  };
}

function emptyComment(): WxrComment {
  return {
    id: '',
    parentId: '0',
    authorName: '',
    authorEmail: '',
    authorUrl: '',
    dateGmt: '',
    date: '',
    content: '',
    approved: '',
    type: '',
    userId: '0',
  };
}

/**
 * Reads a WordPress export (WXR 1.0 to 1.2) as it streams in, one record at a time, holding
 * no more than the item being read. A file that is not WXR, is not well-formed XML or ends
 * before its last tag is closed (a cut-off download) throws a WxrError; records read before
 * that point have been yielded already, so a caller that must not act on a broken file reads
 * it through once first.
 */
export async function* readWxr(
  chunks: AsyncIterable<string | Buffer>,
): AsyncGenerator<WxrRecord, void, undefined> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const queue: WxrRecord[] = [];
  const path: string[] = [];
  let text = '';
  const channel = { title: '', link: '', baseBlogUrl: '', baseSiteUrl: '', wxrVersion: '' };
  let siteSent = false;
  let item: WxrItem | null = null;
  let comment: WxrComment | null = null;
  let author: WxrAuthor | null = null;
  let term: WxrTerm | null = null;
  let failure: string | null = null;

  const sendSite = () => {
    if (siteSent) return;
    if (!channel.wxrVersion)
      throw new WxrError(
        'This is not a WordPress export: its channel has no <wp:wxr_version> before its first item',
      );
    const url = (channel.baseBlogUrl || channel.link).trim().replace(/\/+$/, '');
    if (!url)
      throw new WxrError('This WordPress export names no site (<wp:base_blog_url> or <link>)');
    siteSent = true;
    queue.push({
      type: 'site',
      site: { title: channel.title.trim(), url, wxrVersion: channel.wxrVersion.trim() },
    });
  };

  parser.on('error', (error) => {
    failure ??= error.message;
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const name = tag.name;
    if (path.length === 0 && name !== 'rss')
      throw new WxrError(`This is not a WordPress export: it is <${name}>, not an RSS document`);
    const parent = path[path.length - 1];
    path.push(name);
    text = '';
    if (name === 'item' && parent === 'channel') {
      sendSite();
      item = emptyItem();
    } else if (name === 'wp:comment' && item) comment = emptyComment();
    else if (name === 'wp:author' && parent === 'channel')
      author = { login: '', email: '', displayName: '' };
    else if (name === 'category' && item && parent === 'item') {
      const domain = tag.attributes.domain;
      const nicename = tag.attributes.nicename;
      term = {
        domain: typeof domain === 'string' ? domain : 'category',
        slug: typeof nicename === 'string' ? nicename : '',
        name: '',
      };
    }
  });
  parser.on('text', (t) => {
    text += t;
  });
  parser.on('cdata', (t) => {
    text += t;
  });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    const name = tag.name;
    path.pop();
    const parent = path[path.length - 1];
    const value = text;
    text = '';
    if (comment) {
      if (name === 'wp:comment') {
        item?.comments.push(comment);
        comment = null;
      } else if (parent === 'wp:comment') {
        const field = COMMENT_FIELDS[name];
        if (field) comment[field] = value.trim() === '' && field !== 'content' ? '' : value;
      }
      return;
    }
    if (item) {
      if (name === 'item') {
        queue.push({ type: 'item', item: { ...item, title: item.title.trim() } });
        item = null;
      } else if (name === 'category' && term) {
        item.terms.push({ ...term, name: value.trim() });
        term = null;
      } else if (parent === 'item') {
        const field = ITEM_FIELDS[name];
        if (field) item[field] = field === 'content' || field === 'excerpt' ? value : value.trim();
      }
      return;
    }
    if (author) {
      if (name === 'wp:author') {
        sendSite();
        queue.push({ type: 'author', author });
        author = null;
      } else {
        const field = AUTHOR_FIELDS[name];
        if (field) author[field] = value.trim();
      }
      return;
    }
    if (parent === 'channel') {
      if (name === 'title') channel.title = value;
      else if (name === 'link') channel.link = value;
      else if (name === 'wp:base_blog_url') channel.baseBlogUrl = value;
      else if (name === 'wp:base_site_url') channel.baseSiteUrl = value;
      else if (name === 'wp:wxr_version') channel.wxrVersion = value;
      else if (name === 'wp:category') {
        sendSite();
        queue.push({ type: 'category' });
      } else if (name === 'wp:tag') {
        sendSite();
        queue.push({ type: 'tag' });
      }
    }
    if (name === 'channel') sendSite();
  });

  const check = () => {
    if (failure !== null) {
      const message = failure;
      failure = null;
      throw new WxrError(`This file is not well-formed XML, so it cannot be imported: ${message}`);
    }
  };

  // A character's bytes may be split between two chunks: the decoder keeps the first part.
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    try {
      parser.write(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    } catch (error) {
      if (error instanceof WxrError) throw error;
      throw new WxrError(
        `This file is not well-formed XML, so it cannot be imported: ${String(error)}`,
      );
    }
    check();
    yield* queue.splice(0);
  }
  const unclosed = path.length;
  try {
    const rest = decoder.end();
    if (rest) parser.write(rest);
    parser.close();
  } catch (error) {
    if (error instanceof WxrError) throw error;
  }
  if (unclosed > 0 || failure !== null)
    throw new WxrError(
      `The file ends before the export does (${unclosed} element${unclosed === 1 ? '' : 's'} left open, the last <${path[path.length - 1] ?? '?'}>): it was cut off; export it again or download it whole`,
    );
  if (!siteSent) {
    if (channel.wxrVersion === '' && channel.link === '')
      throw new WxrError('This is not a WordPress export: it has no channel');
    sendSite();
  }
  yield* queue.splice(0);
}
