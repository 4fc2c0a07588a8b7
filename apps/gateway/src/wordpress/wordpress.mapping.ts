import type {
  CommentStatus,
  WordpressComment,
  WordpressPost,
  WordpressTerm,
} from '@parley/contracts';
import { wordpressIdOf } from '@parley/domain';
import { escapeHtml, renderPostMarkdown } from '@parley/text';

/** WordPress's REST root and its one namespace, as clients discover them. */
export const WP_ROOT = '/wp-json';
export const WP_NAMESPACE = 'wp/v2';

interface Link {
  href: string;
  embeddable?: boolean;
  [key: string]: unknown;
}
type Links = Record<string, Link[]>;

/** A comment as WordPress's REST API answers it (view context). */
export interface WpComment {
  id: number;
  post: number;
  parent: number;
  author: number;
  author_name: string;
  author_url: string;
  date: string;
  date_gmt: string;
  content: { rendered: string };
  link: string;
  status: 'approved' | 'hold' | 'spam' | 'trash';
  type: 'comment' | 'pingback' | 'trackback';
  author_avatar_urls: Record<'24' | '48' | '96', string>;
  meta: [];
  _links: Links;
}

/** A post as WordPress's REST API answers it (view context). */
export interface WpPost {
  id: number;
  date: string;
  date_gmt: string;
  guid: { rendered: string };
  modified: string;
  modified_gmt: string;
  slug: string;
  status: 'publish';
  type: 'post';
  link: string;
  title: { rendered: string };
  content: { rendered: string; protected: false };
  excerpt: { rendered: string; protected: false };
  author: number;
  featured_media: 0;
  comment_status: 'open' | 'closed';
  ping_status: 'closed';
  sticky: false;
  template: '';
  format: 'standard';
  meta: [];
  categories: number[];
  tags: number[];
  _links: Links;
}

/** A category or tag as WordPress's REST API answers it. */
export interface WpTerm {
  id: number;
  count: number;
  description: '';
  link: string;
  name: string;
  slug: string;
  taxonomy: 'category' | 'post_tag';
  parent?: 0;
  meta: [];
  _links: Links;
}

/** WordPress's error shape: `{code, message, data: {status}}`. */
export interface WpError {
  code: string;
  message: string;
  data: { status: number; params?: Record<string, string> };
}

/** Where the dialect's links point: the blog's public address and, for comments, their post. */
export interface WpContext {
  baseUrl: string;
}

/** WordPress's dates: seconds, no zone; the blog's zone is UTC, so `date` and `date_gmt` agree. */
export function wpDate(iso: string | null): string {
  return iso === null ? '' : new Date(iso).toISOString().slice(0, 19);
}

export function wpRoute(context: WpContext, route: string): string {
  return `${context.baseUrl}${WP_ROOT}/${WP_NAMESPACE}/${route}`;
}

function commentStatus(status: CommentStatus): WpComment['status'] {
  return status === 'pending' ? 'hold' : status;
}

/**
 * A Parley comment in WordPress's shape. Its author is an account's integer id, 0 for a
 * guest; no email, whoever asks.
 */
export function toWpComment(
  comment: WordpressComment,
  post: { wordpressId: number; slug: string },
  context: WpContext,
): WpComment {
  const avatar = (size: number) =>
    `${context.baseUrl}/avatars/${encodeURIComponent(comment.author?.avatarSeed ?? 'deleted')}.svg?s=${size}`;
  const accountId = comment.author?.accountId ?? null;
  const links: Links = {
    self: [{ href: wpRoute(context, `comments/${comment.wordpressId}`) }],
    collection: [{ href: wpRoute(context, 'comments') }],
    up: [
      { embeddable: true, post_type: 'post', href: wpRoute(context, `posts/${post.wordpressId}`) },
    ],
  };
  if (comment.parentWordpressId !== 0)
    links['in-reply-to'] = [
      { embeddable: true, href: wpRoute(context, `comments/${comment.parentWordpressId}`) },
    ];
  return {
    id: comment.wordpressId,
    post: post.wordpressId,
    parent: comment.parentWordpressId,
    author: accountId === null ? 0 : wordpressIdOf(accountId),
    author_name: comment.author?.name ?? '',
    author_url: comment.author?.url ?? '',
    date: wpDate(comment.postedAt),
    date_gmt: wpDate(comment.postedAt),
    content: { rendered: comment.html },
    link: `${context.baseUrl}/posts/${encodeURIComponent(post.slug)}#comment-${comment.id}`,
    status: commentStatus(comment.status),
    type: comment.kind,
    author_avatar_urls: { '24': avatar(24), '48': avatar(48), '96': avatar(96) },
    meta: [],
    _links: links,
  };
}

export function toWpPost(post: WordpressPost, context: WpContext): WpPost {
  const published = post.publishedAt ?? post.updatedAt;
  return {
    id: post.wordpressId,
    date: wpDate(published),
    date_gmt: wpDate(published),
    guid: { rendered: `${context.baseUrl}/?p=${post.wordpressId}` },
    modified: wpDate(post.updatedAt),
    modified_gmt: wpDate(post.updatedAt),
    slug: post.slug,
    status: 'publish',
    type: 'post',
    link: `${context.baseUrl}/posts/${encodeURIComponent(post.slug)}`,
    title: { rendered: escapeHtml(post.title) },
    content: { rendered: renderPostMarkdown(post.body), protected: false },
    excerpt: { rendered: `<p>${escapeHtml(post.excerpt)}</p>\n`, protected: false },
    author: wordpressIdOf(post.author.id),
    featured_media: 0,
    comment_status: post.commentsOpen ? 'open' : 'closed',
    ping_status: 'closed',
    sticky: false,
    template: '',
    format: 'standard',
    meta: [],
    categories: post.categoryIds,
    tags: post.tagIds,
    _links: {
      self: [{ href: wpRoute(context, `posts/${post.wordpressId}`) }],
      collection: [{ href: wpRoute(context, 'posts') }],
      replies: [
        { embeddable: true, href: `${wpRoute(context, 'comments')}?post=${post.wordpressId}` },
      ],
    },
  };
}

export function toWpTerm(
  term: WordpressTerm,
  kind: 'category' | 'tag',
  context: WpContext,
): WpTerm {
  const route = kind === 'category' ? 'categories' : 'tags';
  return {
    id: term.wordpressId,
    count: term.count,
    description: '',
    link: `${context.baseUrl}/${kind === 'category' ? 'category' : 'tag'}/${encodeURIComponent(term.key)}`,
    name: term.name,
    slug: term.slug,
    taxonomy: kind === 'category' ? 'category' : 'post_tag',
    ...(kind === 'category' ? { parent: 0 as const } : {}),
    meta: [],
    _links: {
      self: [{ href: wpRoute(context, `${route}/${term.wordpressId}`) }],
      collection: [{ href: wpRoute(context, route) }],
      'wp:post_type': [
        {
          href: `${wpRoute(context, 'posts')}?${kind === 'category' ? 'categories' : 'tags'}=${term.wordpressId}`,
        },
      ],
    },
  };
}

/** WordPress's paging headers of a list page. */
export function pagingHeaders(total: number, perPage: number): Record<string, string> {
  return {
    'x-wp-total': String(total),
    'x-wp-totalpages': String(Math.ceil(total / perPage)),
  };
}

export function wpError(
  status: number,
  code: string,
  message: string,
  params?: Record<string, string>,
): WpError {
  return { code, message, data: { status, ...(params ? { params } : {}) } };
}

/** WordPress's answer to query or body values it cannot take. */
export function invalidParams(params: Record<string, string>): WpError {
  return wpError(
    400,
    'rest_invalid_param',
    `Invalid parameter(s): ${Object.keys(params).join(', ')}`,
    params,
  );
}

/** Parley's body fields, as a WordPress client named them. */
const FIELD_NAMES: Record<string, string> = {
  body: 'content',
  parentId: 'parent',
  'author.name': 'author_name',
  'author.email': 'author_email',
  'author.url': 'author_url',
};

/** Parley's problem codes that WordPress has its own code for. */
const CODES: Record<string, string> = {
  'post-not-found': 'rest_comment_invalid_post_id',
  'post-not-published': 'rest_comment_invalid_post_id',
  'comments-closed': 'rest_comment_closed',
  'parent-not-found': 'rest_comment_invalid_reply_to',
  'parent-deleted': 'rest_comment_invalid_reply_to',
  'parent-awaiting-moderation': 'rest_comment_invalid_reply_to',
  'parent-on-another-post': 'rest_comment_invalid_reply_to',
  'duplicate-comment': 'comment_duplicate',
  'comment-flood': 'comment_flood',
  'comment-empty': 'rest_comment_content_invalid',
  'comment-too-long': 'rest_comment_content_invalid',
  'name-reserved': 'rest_comment_author_invalid',
  'not-allowed': 'rest_forbidden',
  forbidden: 'rest_forbidden',
  unauthenticated: 'rest_not_logged_in',
  'csrf-failed': 'rest_cookie_invalid_nonce',
};

/** What Parley's own answer to creating a comment says, for a WordPress client. */
export function problemToWp(problem: {
  status: number;
  code?: string | undefined;
  title?: string | undefined;
  errors?: { field: string; reason: string }[] | undefined;
}): WpError {
  const code = problem.code ?? 'error';
  const message = problem.title ?? 'The comment could not be posted';
  if (code === 'validation-failed' && problem.errors && problem.errors.length > 0) {
    return invalidParams(
      Object.fromEntries(
        problem.errors.map((e) => [FIELD_NAMES[e.field] ?? e.field, `${e.reason}`]),
      ),
    );
  }
  const status = code === 'post-not-found' || code === 'post-not-published' ? 404 : problem.status;
  return wpError(status, CODES[code] ?? `parley_${code.replace(/-/g, '_')}`, message);
}

interface RouteArg {
  type: string;
  required?: boolean;
  description?: string;
  enum?: string[];
  default?: unknown;
}
type RouteArgs = Record<string, RouteArg>;

const listArgs: RouteArgs = {
  context: { type: 'string', enum: ['view', 'embed'], default: 'view' },
  page: { type: 'integer', default: 1, description: 'Current page of the collection.' },
  per_page: {
    type: 'integer',
    default: 10,
    description: 'Maximum number of items to be returned in result set (1 to 100).',
  },
  order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
};

const ROUTES: Record<
  string,
  { methods: string[]; endpoints: { methods: string[]; args: RouteArgs }[] }
> = {
  posts: {
    methods: ['GET'],
    endpoints: [
      {
        methods: ['GET'],
        args: {
          ...listArgs,
          orderby: { type: 'string', enum: ['date', 'id'], default: 'date' },
          search: { type: 'string' },
          slug: { type: 'string' },
          categories: { type: 'array' },
          tags: { type: 'array' },
        },
      },
    ],
  },
  'posts/(?P<id>[\\d]+)': {
    methods: ['GET'],
    endpoints: [
      { methods: ['GET'], args: { id: { type: 'integer' }, context: listArgs.context! } },
    ],
  },
  comments: {
    methods: ['GET', 'POST'],
    endpoints: [
      {
        methods: ['GET'],
        args: {
          ...listArgs,
          orderby: { type: 'string', enum: ['date', 'date_gmt'], default: 'date_gmt' },
          post: { type: 'array' },
          parent: { type: 'array' },
        },
      },
      {
        methods: ['POST'],
        args: {
          post: { type: 'integer', required: true },
          parent: { type: 'integer', default: 0 },
          content: { type: 'object', required: true },
          author_name: { type: 'string' },
          author_email: { type: 'string' },
          author_url: { type: 'string' },
        },
      },
    ],
  },
  'comments/(?P<id>[\\d]+)': {
    methods: ['GET'],
    endpoints: [
      { methods: ['GET'], args: { id: { type: 'integer' }, context: listArgs.context! } },
    ],
  },
  categories: {
    methods: ['GET'],
    endpoints: [{ methods: ['GET'], args: { ...listArgs, slug: { type: 'string' } } }],
  },
  'categories/(?P<id>[\\d]+)': {
    methods: ['GET'],
    endpoints: [{ methods: ['GET'], args: { id: { type: 'integer' } } }],
  },
  tags: {
    methods: ['GET'],
    endpoints: [{ methods: ['GET'], args: { ...listArgs, slug: { type: 'string' } } }],
  },
  'tags/(?P<id>[\\d]+)': {
    methods: ['GET'],
    endpoints: [{ methods: ['GET'], args: { id: { type: 'integer' } } }],
  },
};

/** The REST index (`/wp-json/`) WordPress clients read to find the routes a site serves. */
export function wpIndex(blog: { title: string; description: string }, context: WpContext) {
  const root = `${context.baseUrl}${WP_ROOT}/`;
  const routes: Record<string, unknown> = {
    '/': {
      namespace: '',
      methods: ['GET'],
      endpoints: [{ methods: ['GET'], args: { context: listArgs.context } }],
      _links: { self: [{ href: root }] },
    },
    [`/${WP_NAMESPACE}`]: {
      namespace: WP_NAMESPACE,
      methods: ['GET'],
      endpoints: [
        { methods: ['GET'], args: { namespace: { type: 'string', default: WP_NAMESPACE } } },
      ],
      _links: { self: [{ href: `${root}${WP_NAMESPACE}` }] },
    },
  };
  for (const [path, route] of Object.entries(ROUTES)) {
    routes[`/${WP_NAMESPACE}/${path}`] = {
      namespace: WP_NAMESPACE,
      ...route,
      ...(path.includes('(')
        ? {}
        : { _links: { self: [{ href: `${root}${WP_NAMESPACE}/${path}` }] } }),
    };
  }
  return {
    name: blog.title,
    description: blog.description,
    url: context.baseUrl,
    home: context.baseUrl,
    gmt_offset: 0,
    timezone_string: 'UTC',
    namespaces: [WP_NAMESPACE],
    authentication: {},
    routes,
  };
}
