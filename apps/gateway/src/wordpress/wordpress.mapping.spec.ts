import type { WordpressComment, WordpressPost } from '@parley/contracts';
import { NATIVE_WORDPRESS_ID_FLOOR } from '@parley/domain';
import { pagingHeaders, problemToWp, toWpComment, toWpPost, wpIndex } from './wordpress.mapping';
import { parseWp, wpCommentsQuerySchema, wpCreateCommentSchema } from './wordpress.params';

const context = { baseUrl: 'https://blog.example' };

const comment = (overrides: Partial<WordpressComment> = {}): WordpressComment => ({
  id: 'c-2',
  postId: 'p-1',
  parentId: 'c-1',
  depth: 2,
  author: {
    kind: 'guest',
    accountId: null,
    name: 'Gus',
    url: 'https://gus.example',
    avatarSeed: 's33d',
  },
  body: 'Hello *there*',
  html: '<p>Hello <em>there</em></p>',
  status: 'pending',
  kind: 'comment',
  postedAt: '2026-11-20T08:00:00.123Z',
  edited: false,
  editedAt: null,
  deleted: false,
  wordpressId: 902,
  parentWordpressId: 901,
  ...overrides,
});

const post = (overrides: Partial<WordpressPost> = {}): WordpressPost => ({
  id: 'p-1',
  slug: 'template-comments',
  title: 'Template: <Comments>',
  excerpt: 'Comments & more',
  categories: ['Uncategorized'],
  tags: [],
  series: null,
  author: { id: 'ann', displayName: 'Ann' },
  status: 'published',
  revision: 3,
  publishAt: null,
  publishedAt: '2012-01-03T10:11:12.000Z',
  updatedAt: '2012-01-04T00:00:00.000Z',
  commentSettings: { mode: 'closed', autoCloseDays: null },
  commentsOpen: false,
  commentsCloseAt: null,
  commentCount: 19,
  likeCount: 0,
  likers: [],
  body: 'A **bold** post',
  draftedAt: '2012-01-03T10:00:00.000Z',
  wordpressId: 1148,
  categoryIds: [77],
  tagIds: [],
  ...overrides,
});

describe('the WordPress shape of a comment', () => {
  it('has WordPress fields, integer ids and a held status, and no email', () => {
    const shown = toWpComment(comment(), { wordpressId: 1148, slug: 'template-comments' }, context);
    expect(shown).toMatchObject({
      id: 902,
      post: 1148,
      parent: 901,
      author: 0,
      author_name: 'Gus',
      author_url: 'https://gus.example',
      date: '2026-11-20T08:00:00',
      date_gmt: '2026-11-20T08:00:00',
      content: { rendered: '<p>Hello <em>there</em></p>' },
      link: 'https://blog.example/posts/template-comments#comment-c-2',
      status: 'hold',
      type: 'comment',
    });
    expect(shown.author_avatar_urls['48']).toBe('https://blog.example/avatars/s33d.svg?s=48');
    expect(shown._links['in-reply-to']?.[0]?.href).toBe(
      'https://blog.example/wp-json/wp/v2/comments/901',
    );
    expect(shown._links.up?.[0]?.href).toBe('https://blog.example/wp-json/wp/v2/posts/1148');
    expect(JSON.stringify(shown)).not.toMatch(/email/);
  });

  it("gives an account's comment the account's integer id and a top-level one parent 0", () => {
    const shown = toWpComment(
      comment({
        status: 'approved',
        parentId: null,
        parentWordpressId: 0,
        author: { kind: 'account', accountId: 'ann', name: 'Ann', url: null, avatarSeed: 'x' },
      }),
      { wordpressId: 1148, slug: 'template-comments' },
      context,
    );
    expect(shown.parent).toBe(0);
    expect(shown.status).toBe('approved');
    expect(shown.author).toBeGreaterThanOrEqual(NATIVE_WORDPRESS_ID_FLOOR);
    expect(shown.author_url).toBe('');
    expect(shown._links['in-reply-to']).toBeUndefined();
  });
});

describe('the WordPress shape of a post', () => {
  it('renders the title escaped, the body as HTML, and the dates without zone', () => {
    const shown = toWpPost(post(), context);
    expect(shown).toMatchObject({
      id: 1148,
      slug: 'template-comments',
      status: 'publish',
      type: 'post',
      date_gmt: '2012-01-03T10:11:12',
      modified_gmt: '2012-01-04T00:00:00',
      link: 'https://blog.example/posts/template-comments',
      title: { rendered: 'Template: &lt;Comments&gt;' },
      excerpt: { rendered: '<p>Comments &amp; more</p>\n', protected: false },
      comment_status: 'closed',
      categories: [77],
      tags: [],
    });
    expect(shown.content.rendered).toContain('<strong>bold</strong>');
  });
});

describe('WordPress paging and errors', () => {
  it('counts pages for X-WP-TotalPages', () => {
    expect(pagingHeaders(21, 10)).toEqual({ 'x-wp-total': '21', 'x-wp-totalpages': '3' });
    expect(pagingHeaders(0, 10)).toEqual({ 'x-wp-total': '0', 'x-wp-totalpages': '0' });
  });

  it('refuses a page size over 100 as rest_invalid_param naming it', () => {
    const parsed = parseWp(wpCommentsQuerySchema, { per_page: '500' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.error).toMatchObject({
        code: 'rest_invalid_param',
        message: 'Invalid parameter(s): per_page',
        data: { status: 400, params: { per_page: expect.stringContaining('100') } },
      });
  });

  it('reads lists given as a,b or repeated, and defaults like WordPress', () => {
    const parsed = parseWp(wpCommentsQuerySchema, { post: '1148', parent: ['0', '904'] });
    expect(parsed).toEqual({
      ok: true,
      value: expect.objectContaining({
        post: [1148],
        parent: [0, 904],
        page: 1,
        per_page: 10,
        order: 'desc',
      }),
    });
    const create = parseWp(wpCreateCommentSchema, { post: '5', content: { raw: 'Hi' } });
    expect(create).toEqual({
      ok: true,
      value: expect.objectContaining({ post: 5, parent: 0, content: 'Hi' }),
    });
  });

  it("answers Parley's refusals of a comment with WordPress's codes and field names", () => {
    expect(
      problemToWp({ status: 404, code: 'post-not-found', title: 'There is no such post' }),
    ).toEqual({
      code: 'rest_comment_invalid_post_id',
      message: 'There is no such post',
      data: { status: 404 },
    });
    expect(problemToWp({ status: 401, code: 'unauthenticated', title: 'Log in' })).toEqual({
      code: 'rest_not_logged_in',
      message: 'Log in',
      data: { status: 401 },
    });
    expect(problemToWp({ status: 429, code: 'comment-flood', title: 'Too fast' }).code).toBe(
      'comment_flood',
    );
    expect(
      problemToWp({
        status: 400,
        code: 'validation-failed',
        title: 'The request is not valid',
        errors: [{ field: 'author.email', reason: 'Invalid email address' }],
      }),
    ).toMatchObject({
      code: 'rest_invalid_param',
      data: { status: 400, params: { author_email: 'Invalid email address' } },
    });
  });
});

describe('the REST index', () => {
  it('names the blog, the namespace and the routes served', () => {
    const index = wpIndex({ title: 'My blog', description: 'Words' }, context);
    expect(index).toMatchObject({
      name: 'My blog',
      url: 'https://blog.example',
      namespaces: ['wp/v2'],
    });
    expect(index.routes['/wp/v2/comments']).toMatchObject({
      namespace: 'wp/v2',
      methods: ['GET', 'POST'],
    });
    expect(index.routes['/wp/v2/posts/(?P<id>[\\d]+)']).toMatchObject({ methods: ['GET'] });
  });
});
