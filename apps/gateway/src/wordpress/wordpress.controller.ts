import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type {
  Actor,
  PostCommentRequest,
  PostCommentResponse,
  WordpressComment,
  WordpressCommentPage,
  WordpressPost,
  WordpressPostPage,
  WordpressTerm,
  WordpressTermPage,
} from '@parley/contracts';
import { wordpressIdOf } from '@parley/domain';
import { ProblemException } from '@parley/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Caller } from '../auth/authentication.guard';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';
import { BlogIdentity } from '../web/blog-identity';
import { originOf } from '../web/origin';
import { PublicApi } from '../web/public-api';
import { CSRF_HEADER } from '../web/web-session';
import { WpErrorFilter, WpException } from './wordpress-errors';
import {
  type WpComment,
  type WpContext,
  type WpPost,
  type WpTerm,
  pagingHeaders,
  problemToWp,
  toWpComment,
  toWpPost,
  toWpTerm,
  wpError,
  wpIndex,
  wpRoute,
} from './wordpress.mapping';
import {
  type Parsed,
  parseWp,
  wpCommentsQuerySchema,
  wpCreateCommentSchema,
  wpIdParamSchema,
  wpPostsQuerySchema,
  wpTermsQuerySchema,
} from './wordpress.params';

type RawQuery = Record<string, unknown>;

/** Links point where the client came from, like the feeds', so they work on any host. */
export function wpContext(request: FastifyRequest): WpContext {
  return { baseUrl: originOf(request) };
}

function valid<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new WpException(parsed.error);
  return parsed.value;
}

function idOf(raw: string, code: string, message: string): number {
  const parsed = wpIdParamSchema.safeParse(raw);
  if (!parsed.success) throw new WpException(wpError(404, code, message));
  return parsed.data;
}

/** Whether a service answered that what was asked for is not there. */
function isNotFound(error: unknown): boolean {
  return error instanceof ProblemException && error.status === 404;
}

/**
 * WordPress's REST routes (`/wp-json/wp/v2/…`), so that WordPress clients keep working: a
 * thin translation of WordPress's parameters and shapes over the services' reads, and of a
 * new comment onto Parley's own comment route (its moderation, flood control, rate limits,
 * notifications and idempotency).
 */
@ApiExcludeController()
@UseFilters(WpErrorFilter)
@Controller('wp-json')
export class WordpressController {
  constructor(
    @Inject(SERVICE_CLIENTS) private readonly services: ServiceClients,
    private readonly blog: BlogIdentity,
    private readonly publicApi: PublicApi,
  ) {}

  @Get()
  async index(@Req() request: FastifyRequest) {
    return wpIndex(await this.blog.name(), wpContext(request));
  }

  @Get('wp/v2')
  async namespace(@Req() request: FastifyRequest) {
    const index = wpIndex(await this.blog.name(), wpContext(request));
    return { namespace: 'wp/v2', routes: index.routes };
  }

  @Get('wp/v2/posts')
  async posts(
    @Query() raw: RawQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WpPost[]> {
    const query = valid(parseWp(wpPostsQuerySchema, raw));
    if (query.search === '') query.search = undefined;
    const answer = await this.services.posts.call<WordpressPostPage>({
      method: 'GET',
      path: '/v1/wordpress/posts',
      query: {
        page: query.page,
        perPage: query.per_page,
        order: query.order,
        slug: query.slug,
        search: query.search,
        categories: query.categories?.join(','),
        tags: query.tags?.join(','),
      },
      actor: null,
    });
    this.paginate(request, reply, 'rest_post_invalid_page_number', query, answer.body.total);
    return answer.body.items.map((post) => toWpPost(post, wpContext(request)));
  }

  @Get('wp/v2/posts/:id')
  async post(@Param('id') raw: string, @Req() request: FastifyRequest): Promise<WpPost> {
    return toWpPost(await this.postByWordpressId(raw), wpContext(request));
  }

  @Get('wp/v2/comments')
  async comments(
    @Caller() caller: Actor | null,
    @Query() raw: RawQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WpComment[]> {
    const query = valid(parseWp(wpCommentsQuerySchema, raw));
    const postWordpressId = query.post?.[0];
    let post: WordpressPost | null = null;
    if (postWordpressId !== undefined) {
      post = await this.findPost(postWordpressId);
      // A post nobody may read has no comments to list, as WordPress filters them.
      if (!post) {
        this.paginate(request, reply, 'rest_comment_invalid_page_number', query, 0);
        return [];
      }
    }
    const answer = await this.services.comments.call<WordpressCommentPage>({
      method: 'GET',
      path: '/v1/wordpress/comments',
      query: {
        postId: post?.id,
        parent: query.parent?.join(','),
        page: query.page,
        perPage: query.per_page,
        order: query.order,
      },
      actor: caller,
    });
    this.paginate(request, reply, 'rest_comment_invalid_page_number', query, answer.body.total);
    return this.asWpComments(answer.body.items, post, wpContext(request));
  }

  @Get('wp/v2/comments/:id')
  async comment(
    @Caller() caller: Actor | null,
    @Param('id') raw: string,
    @Req() request: FastifyRequest,
  ): Promise<WpComment> {
    const invalid = () => wpError(404, 'rest_comment_invalid_id', 'Invalid comment ID.');
    const wordpressId = idOf(raw, 'rest_comment_invalid_id', 'Invalid comment ID.');
    const comment = await this.services.comments
      .call<WordpressComment>({
        method: 'GET',
        path: `/v1/wordpress/comments/${wordpressId}`,
        actor: caller,
      })
      .catch((error: unknown) => {
        throw isNotFound(error) ? new WpException(invalid()) : error;
      });
    const [shown] = await this.asWpComments([comment.body], null, wpContext(request));
    if (!shown) throw new WpException(invalid());
    return shown;
  }

  @Post('wp/v2/comments')
  @HttpCode(201)
  async create(
    @Caller() caller: Actor | null,
    @Body() raw: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WpComment> {
    const rawPost = (raw as { post?: unknown } | null | undefined)?.post;
    if (rawPost === undefined || rawPost === null || rawPost === '' || rawPost === 0)
      throw new WpException(
        wpError(
          403,
          'rest_comment_invalid_post_id',
          'Sorry, you are not allowed to create this comment without a post.',
        ),
      );
    const input = valid(parseWp(wpCreateCommentSchema, raw));
    const post = await this.findPost(input.post);
    if (!post)
      throw new WpException(wpError(404, 'rest_comment_invalid_post_id', 'Invalid post ID.'));
    let parentId: string | null = null;
    if (input.parent !== 0) {
      const parent = await this.services.comments
        .call<WordpressComment>({
          method: 'GET',
          path: `/v1/wordpress/comments/${input.parent}`,
          actor: caller,
        })
        .catch((error: unknown) => {
          if (isNotFound(error)) return null;
          throw error;
        });
      if (!parent || parent.body.postId !== post.id)
        throw new WpException(
          wpError(400, 'rest_comment_invalid_reply_to', 'Invalid comment ID.', {
            parent: 'parent is not a comment of this post',
          }),
        );
      parentId = parent.body.id;
    }
    if (!caller && (!input.author_name?.trim() || !input.author_email?.trim()))
      throw new WpException(
        wpError(
          400,
          'rest_comment_author_data_required',
          'Creating a comment requires valid author name and email values.',
        ),
      );
    const body: PostCommentRequest = {
      body: input.content,
      ...(parentId ? { parentId } : {}),
      ...(caller
        ? {}
        : {
            author: {
              name: input.author_name ?? '',
              email: input.author_email ?? '',
              url: input.author_url ?? null,
            },
          }),
      notify: 'none',
    };
    // Through Parley's own route, in process: its validation, rules, limits and notifications.
    const answer = await this.publicApi.call<PostCommentResponse>(request, {
      method: 'POST',
      path: `/api/v1/posts/${encodeURIComponent(post.id)}/comments`,
      body,
      headers: this.credentials(request),
    });
    if (answer.status !== 201) {
      const problem = answer.body as unknown as {
        code?: string;
        title?: string;
        errors?: { field: string; reason: string }[];
      };
      const retryAfter = answer.headers['retry-after'];
      throw new WpException(
        problemToWp({ status: answer.status, ...problem }),
        retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {},
      );
    }
    const created: WordpressComment = {
      ...answer.body.comment,
      wordpressId: wordpressIdOf(answer.body.comment.id),
      parentWordpressId: input.parent,
    };
    void reply.header('location', wpRoute(wpContext(request), `comments/${created.wordpressId}`));
    return toWpComment(
      created,
      { wordpressId: post.wordpressId, slug: post.slug },
      wpContext(request),
    );
  }

  @Get('wp/v2/categories')
  terms(
    @Query() raw: RawQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WpTerm[]> {
    return this.termList('category', raw, request, reply);
  }

  @Get('wp/v2/tags')
  tags(
    @Query() raw: RawQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WpTerm[]> {
    return this.termList('tag', raw, request, reply);
  }

  @Get('wp/v2/categories/:id')
  category(@Param('id') raw: string, @Req() request: FastifyRequest): Promise<WpTerm> {
    return this.term('category', raw, request);
  }

  @Get('wp/v2/tags/:id')
  tag(@Param('id') raw: string, @Req() request: FastifyRequest): Promise<WpTerm> {
    return this.term('tag', raw, request);
  }

  private async termList(
    kind: 'category' | 'tag',
    raw: RawQuery,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<WpTerm[]> {
    const query = valid(parseWp(wpTermsQuerySchema, raw));
    const answer = await this.services.posts.call<WordpressTermPage>({
      method: 'GET',
      path: '/v1/wordpress/terms',
      query: { kind, page: query.page, perPage: query.per_page, slug: query.slug },
      actor: null,
    });
    this.paginate(request, reply, 'rest_term_invalid_page_number', query, answer.body.total);
    return answer.body.items.map((term) => toWpTerm(term, kind, wpContext(request)));
  }

  private async term(
    kind: 'category' | 'tag',
    raw: string,
    request: FastifyRequest,
  ): Promise<WpTerm> {
    const invalid = wpError(404, 'rest_term_invalid', 'Term does not exist.');
    const wordpressId = idOf(raw, invalid.code, invalid.message);
    const answer = await this.services.posts
      .call<WordpressTerm>({
        method: 'GET',
        path: `/v1/wordpress/terms/${wordpressId}`,
        query: { kind },
        actor: null,
      })
      .catch((error: unknown) => {
        throw isNotFound(error) ? new WpException(invalid) : error;
      });
    return toWpTerm(answer.body, kind, wpContext(request));
  }

  /** The credentials the caller came with, for Parley's own route to judge again. */
  private credentials(request: FastifyRequest): Record<string, string> {
    const headers: Record<string, string> = {};
    const { authorization, cookie } = request.headers;
    const csrf = request.headers[CSRF_HEADER];
    if (authorization) headers.authorization = authorization;
    if (cookie) headers.cookie = cookie;
    if (typeof csrf === 'string') headers[CSRF_HEADER] = csrf;
    return headers;
  }

  private async postByWordpressId(raw: string): Promise<WordpressPost> {
    const wordpressId = idOf(raw, 'rest_post_invalid_id', 'Invalid post ID.');
    const post = await this.findPost(wordpressId);
    if (!post) throw new WpException(wpError(404, 'rest_post_invalid_id', 'Invalid post ID.'));
    return post;
  }

  /** A published post by integer id, or null. */
  private async findPost(wordpressId: number): Promise<WordpressPost | null> {
    try {
      return (
        await this.services.posts.call<WordpressPost>({
          method: 'GET',
          path: `/v1/wordpress/posts/${wordpressId}`,
          actor: null,
        })
      ).body;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Comments in WordPress's shape, each with its post's integer id and address. */
  private async asWpComments(
    comments: readonly WordpressComment[],
    known: WordpressPost | null,
    context: WpContext,
  ): Promise<WpComment[]> {
    const posts = new Map<string, WordpressPost>(known ? [[known.id, known]] : []);
    const missing = [...new Set(comments.map((c) => c.postId))].filter((id) => !posts.has(id));
    if (missing.length > 0) {
      const answer = await this.services.posts.call<WordpressPostPage>({
        method: 'GET',
        path: '/v1/wordpress/posts',
        query: { parleyIds: missing.join(','), perPage: missing.length },
        actor: null,
      });
      for (const post of answer.body.items) posts.set(post.id, post);
    }
    return comments.flatMap((comment) => {
      const post = posts.get(comment.postId);
      // Comments of a post readers cannot see are not shown through it either.
      return post ? [toWpComment(comment, post, context)] : [];
    });
  }

  /** WordPress's paging headers and links, or its refusal of a page past the last. */
  private paginate(
    request: FastifyRequest,
    reply: FastifyReply,
    pastLastCode: string,
    query: { page: number; per_page: number },
    total: number,
  ): void {
    const pages = Math.ceil(total / query.per_page);
    if (query.page > pages && total > 0)
      throw new WpException(
        wpError(
          400,
          pastLastCode,
          'The page number requested is larger than the number of pages available.',
        ),
      );
    for (const [name, value] of Object.entries(pagingHeaders(total, query.per_page)))
      void reply.header(name, value);
    const { baseUrl } = wpContext(request);
    const url = new URL(request.url, baseUrl);
    const at = (page: number) => {
      url.searchParams.set('page', String(page));
      return `<${baseUrl}${url.pathname}${url.search}>`;
    };
    const links = [
      ...(query.page > 1 ? [`${at(query.page - 1)}; rel="prev"`] : []),
      ...(query.page < pages ? [`${at(query.page + 1)}; rel="next"`] : []),
    ];
    if (links.length > 0) void reply.header('link', links.join(', '));
  }
}
