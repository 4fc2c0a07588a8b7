import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Actor, PostView, ThreadItem, ThreadPage, TokensResponse } from '@parley/contracts';
import { COMMENT_ROUTES, NOTIFICATION_ROUTES, POST_ROUTES, canOnOwn } from '@parley/contracts';
import { CLOCK, type Clock } from '@parley/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CommentPosting } from '../comments/comment-posting';
import { RateLimited, WRITE_LIMIT } from '../http/rate-limits';
import { identicon } from './identicon';
import { redirectLegacyLink } from './legacy-redirect';
import { localRedirect } from './local-redirect';
import { PageRenderer, routed, type Submission } from './page-renderer';
import { renderPostMarkdown } from '@parley/text';
import { idParam, postPath, slugParam } from './page-params';
import { type ApiAnswer, PublicApi } from './public-api';
import { untilShown } from './until-shown';
import {
  blankAccountForm,
  forgotPasswordPage,
  loginPage,
  messagePage,
  registerPage,
  resetPasswordPage,
} from './views/account-pages';
import { type CommentFormState, emptyForm, formErrors } from './views/comment-form';
import { frontPage } from './views/front-page';
import { postPage } from './views/post-page';
import { KeptRenderings } from './views/kept-renderings';
import { type CommentRenderContext, commentArticle } from './views/thread';
import {
  COOKIES,
  csrfToken,
  rememberViewerToken,
  viewerTokens,
  clearSessionCookies,
} from './web-session';
import { formProblemMessage, type Problem, problemMessage } from './web-problem';

const ASSETS = join(__dirname, '..', '..', 'assets');
const ASSET_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** A visitor who likes no comment. */
const NO_LIKES: ReadonlySet<string> = new Set();
/** A read of what every visitor reads alike. */
const EVERYONE = { asAnyone: true };

/** A guest's viewer tokens as the query of a comment or thread read: no key at all for none. */
function tokensQuery(tokens: string[]): { viewerToken?: string[] } {
  return tokens.length > 0 ? { viewerToken: tokens } : {};
}

const text = z.string().max(100_000).optional();
const commentFormSchema = z.object({
  _csrf: z.string().optional(),
  body: text,
  parentId: text,
  cpage: text,
  name: text,
  email: text,
  url: text,
  notifyComments: text,
  notifyPosts: text,
});
const loginFormSchema = z.object({
  _csrf: z.string().optional(),
  email: text,
  password: text,
  next: text,
  displayName: text,
  token: text,
});
const simpleFormSchema = z.object({
  _csrf: z.string().optional(),
  back: text,
  action: z.enum(['like', 'unlike']).optional(),
});

/** The reader page: a blog post with its discussion, server-rendered, working without JavaScript. */
@ApiExcludeController()
@Controller()
export class WebController {
  private readonly renderings = new KeptRenderings();

  constructor(
    private readonly api: PublicApi,
    private readonly pages: PageRenderer,
    private readonly posting: CommentPosting,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async front(
    @Query({
      schema: z.object({
        cursor: text,
        tag: text,
        category: text,
        series: text,
        'email-verified': text,
        'subscription-confirmed': text,
        p: text,
      }),
    })
    query: Record<string, string | undefined>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // WordPress's own address of a post, `/?p=123`, as the blog imported from gave it.
    if (
      query.p !== undefined &&
      /^\d{1,20}$/.test(query.p) &&
      (await redirectLegacyLink(this.api, request, reply, { p: query.p }))
    )
      return;
    await this.api.viewer(request, reply);
    const filter = {
      ...(query.tag ? { tag: query.tag } : {}),
      ...(query.category ? { category: query.category } : {}),
      ...(query.series ? { series: query.series } : {}),
    };
    const posts = await this.api.read(request, reply, POST_ROUTES.routes.list, {
      query: { ...(query.cursor ? { cursor: query.cursor } : {}), ...filter, limit: 10 },
    });
    const notice = query['email-verified']
      ? 'Your email address is confirmed.'
      : query['subscription-confirmed']
        ? 'Your subscription is confirmed.'
        : null;
    const page = posts.status === 200 ? posts.body : { items: [], nextCursor: null };
    await this.pages.page(request, reply, null, frontPage(page, filter), { notice });
  }

  @Get('posts/:slug')
  async post(
    @Param('slug', { schema: slugParam }) slug: string,
    @Query({
      schema: z.object({ cpage: text, corder: text, replyTo: text, view: text, edit: text }),
    })
    query: Record<string, string | undefined>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.renderPost(request, reply, slug, query, emptyForm, 200);
  }

  private async renderPost(
    request: FastifyRequest,
    reply: FastifyReply,
    slug: string,
    query: Record<string, string | undefined>,
    form: CommentFormState,
    status: number,
  ): Promise<void> {
    const viewer = await this.api.viewer(request, reply);
    const post = await this.api.read(request, reply, POST_ROUTES.routes.get, {
      params: { idOrSlug: slug },
    });
    if (post.status === 404)
      return this.pages.message(request, reply, 'Not found', 'There is no such post.', {
        status: 404,
        link: { href: '/', label: 'Back to the blog' },
      });
    if (post.status !== 200) {
      const problem = post.body as unknown as Problem;
      const message = problemMessage(problem, 'The post cannot be shown right now.');
      return this.pages.message(request, reply, 'Unavailable', message, { status: post.status });
    }
    // An old slug: send the reader to the post's address.
    if (post.body.slug !== slug && post.body.status === 'published')
      return this.pages.redirect(reply, postPath(post.body.slug), 301);
    const moderator = canOnOwn(viewer, post.body.author.id, 'moderate');
    const page = Number(query.cpage);
    // The thread and the viewer's like depend on the post only: asked for together.
    const onPost = { params: { id: post.body.id } };
    const [{ thread, likes }, likeState] = await Promise.all([
      this.readThread(request, reply, post.body.id, {
        ...(Number.isInteger(page) && page > 0 ? { page } : {}),
        ...(query.corder === 'newest' || query.corder === 'oldest' ? { order: query.corder } : {}),
        ...(moderator && query.view === 'moderation' ? { view: 'moderation' as const } : {}),
      }),
      viewer ? this.api.read(request, reply, POST_ROUTES.routes.likeState, onPost) : null,
    ]);
    const threadPage: ThreadPage =
      thread.status === 200
        ? thread.body
        : {
            postId: post.body.id,
            order: 'oldest',
            view: 'public',
            page: 1,
            perPage: 50,
            threadDepth: 5,
            editWindowMinutes: 0,
            commentsOpen: false,
            totals: { comments: 0, threads: 0, pages: 1 },
            items: [],
          };
    const replyItem = query.replyTo
      ? threadPage.items.find((i) => i.id === query.replyTo)
      : undefined;
    const liked = likeState?.status === 200 && likeState.body.liked;
    const threadTag = thread.status === 200 ? thread.headers.etag : undefined;
    const main = postPage({
      post: post.body,
      thread: threadPage,
      viewer: viewer ? { actor: viewer } : null,
      likedByViewer: liked,
      csrf: csrfToken(request, reply),
      replyTo: replyItem ? { id: replyItem.id, name: replyItem.author?.name ?? 'a comment' } : null,
      form,
      canEdit: canOnOwn(viewer, post.body.author.id, 'administer'),
      editing: query.edit ?? null,
      now: this.clock(),
      bodyHtml: this.renderings.postBody(post.body),
      ...(likes && typeof threadTag === 'string'
        ? {
            renderThread: (items: ThreadItem[], ctx: CommentRenderContext) =>
              this.renderings.thread(threadTag, items, ctx, likes),
          }
        : {}),
    });
    await this.pages.page(request, reply, post.body.title, main, {
      status,
      feeds:
        post.body.status === 'published'
          ? [
              {
                title: `Comments on: ${post.body.title}`,
                href: `${postPath(post.body.slug)}/feed`,
              },
            ]
          : [],
      dataset: {
        'post-id': post.body.id,
        'post-slug': post.body.slug,
        'comments-stream': `/api/v1/posts/${encodeURIComponent(post.body.id)}/comments/stream`,
        ...(viewer ? { 'logged-in': 'true' } : {}),
      },
    });
  }

  /**
   * A page of a post's thread as the visitor sees it. The public thread is the same for every
   * reader with none of their own comments held, but for the comments they like: it is read as
   * anyone reads it (kept by its tag, its markup too) with what it shows them alone, and read
   * as theirs only when they have a held comment. `likes` is set when the answer is the shared
   * one, with the comments the visitor likes.
   */
  private async readThread(
    request: FastifyRequest,
    reply: FastifyReply,
    postId: string,
    query: { page?: number; order?: 'oldest' | 'newest'; view?: 'moderation' },
  ) {
    const tokens = viewerTokens(request);
    const onPost = { params: { id: postId } };
    const theirs = () =>
      this.api.read(request, reply, COMMENT_ROUTES.routes.thread, {
        ...onPost,
        query: { ...query, ...tokensQuery(tokens) },
      });
    if (query.view === 'moderation') return { thread: await theirs(), likes: null };
    const personal = tokens.length > 0 || (await this.api.viewer(request, reply)) !== null;
    const [everyone, mine] = await Promise.all([
      this.api.read(request, reply, COMMENT_ROUTES.routes.thread, { ...onPost, query }, EVERYONE),
      personal
        ? this.api.read(request, reply, COMMENT_ROUTES.routes.mine, {
            ...onPost,
            query: tokensQuery(tokens),
          })
        : null,
    ]);
    if (!mine) return { thread: everyone, likes: NO_LIKES };
    if (everyone.status === 200 && mine.status === 200 && mine.body.held === 0)
      return { thread: everyone, likes: new Set(mine.body.liked) };
    return { thread: await theirs(), likes: null };
  }

  @Post('posts/:slug/comments')
  // As the API's route it posts through: the stricter limit of writes.
  @RateLimited(WRITE_LIMIT)
  async postComment(
    @Param('slug', { schema: slugParam }) slug: string,
    @Body({ schema: commentFormSchema }) form: z.infer<typeof commentFormSchema>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.pages.formAccepted(request, reply, form))) return;
    const viewer = await this.api.viewer(request, reply);
    const post = await this.pages.postOrNotFound(request, reply, slug);
    if (!post) return;
    const values = {
      body: form.body ?? '',
      name: form.name ?? '',
      email: form.email ?? '',
      url: form.url ?? '',
      notifyComments: form.notifyComments === '1',
      notifyPosts: form.notifyPosts === '1',
    };
    const posted = await this.api.send(
      request,
      reply,
      COMMENT_ROUTES.routes.post,
      {
        params: { id: post.id },
        body: {
          body: values.body,
          ...(form.parentId ? { parentId: form.parentId } : {}),
          ...(viewer
            ? {}
            : { author: { name: values.name, email: values.email, url: values.url } }),
          notify: values.notifyComments ? 'all' : 'none',
        },
      },
      (asked) => this.posting.post(asked, request),
    );
    if (posted.status !== 201) {
      const problem = posted.body as unknown as Problem;
      const errors = formErrors(problem.errors);
      const formError = formProblemMessage(problem, 'Your comment could not be posted.');
      const retryAfter = posted.headers['retry-after'];
      if (retryAfter) void reply.header('retry-after', String(retryAfter));
      await this.renderPost(
        request,
        reply,
        slug,
        { replyTo: form.parentId, cpage: form.cpage },
        { values, errors, formError },
        posted.status,
      );
      return;
    }
    const created = posted.body;
    if (created.viewerToken) rememberViewerToken(request, reply, created.viewerToken);
    if (values.notifyPosts) {
      await this.api.send(request, reply, NOTIFICATION_ROUTES.routes.subscribe, {
        body: viewer ? { kind: 'blog' } : { kind: 'blog', email: values.email },
      });
    }
    await this.visible(request, reply, post.id, created.id);
    const cpage = form.parentId ? Number(form.cpage) || 1 : undefined;
    const target =
      cpage !== undefined
        ? `${postPath(post.slug)}?cpage=${cpage}`
        : await this.lastPage(request, reply, post);
    await this.pages.redirect(reply, `${target}#comment-${created.id}`);
  }

  /**
   * The thread is a read model a moment behind the write: wait briefly (bounded) until the
   * new comment is in it, so the page the author lands on shows it.
   */
  private async visible(
    request: FastifyRequest,
    reply: FastifyReply,
    postId: string,
    commentId: string,
  ): Promise<void> {
    const viewerToken = tokensQuery(viewerTokens(request));
    await untilShown(async () => {
      const found = await this.api.read(request, reply, COMMENT_ROUTES.routes.get, {
        params: { id: commentId },
        query: viewerToken,
      });
      const thread =
        found.status === 200
          ? await this.api.read(request, reply, COMMENT_ROUTES.routes.thread, {
              params: { id: postId },
              query: { ...viewerToken, order: 'newest' },
            })
          : null;
      return thread?.status === 200 && thread.body.items.some((item) => item.id === commentId);
    });
  }

  /** A new top-level comment comes last (oldest first): the thread's last page. */
  private async lastPage(
    request: FastifyRequest,
    reply: FastifyReply,
    post: PostView,
  ): Promise<string> {
    const thread = await this.api.read(request, reply, COMMENT_ROUTES.routes.thread, {
      params: { id: post.id },
    });
    const base = postPath(post.slug);
    if (thread.status !== 200 || thread.body.order === 'newest' || thread.body.totals.pages <= 1)
      return base;
    return `${base}?cpage=${thread.body.totals.pages}`;
  }

  /** One comment's markup, for the script to put in place (a new comment, a live one). */
  @Get('fragments/comments/:id')
  async commentFragment(
    @Param('id', { schema: idParam }) id: string,
    @Query({
      schema: z.object({
        viewerToken: z
          .string()
          .regex(/^[A-Za-z0-9_-]{16,200}$/)
          .optional(),
      }),
    })
    query: { viewerToken?: string },
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const viewer = await this.api.viewer(request, reply);
    // A guest who just posted in place: keep their token so later page views show the held comment too.
    if (query.viewerToken) rememberViewerToken(request, reply, query.viewerToken);
    const tokens = [
      ...new Set([...viewerTokens(request), ...(query.viewerToken ? [query.viewerToken] : [])]),
    ];
    const comment = await this.api.read(request, reply, COMMENT_ROUTES.routes.get, {
      params: { id },
      query: tokensQuery(tokens),
    });
    if (comment.status !== 200) {
      await reply
        .status(comment.status)
        .header('content-type', 'text/html; charset=utf-8')
        .send('');
      return;
    }
    const post = await this.api.read(request, reply, POST_ROUTES.routes.get, {
      params: { idOrSlug: comment.body.postId },
    });
    const item: ThreadItem = {
      ...comment.body,
      replyCount: 0,
      likeCount: 0,
      likedByViewer: false,
      message: comment.body.status === 'approved' ? null : 'Your comment is awaiting moderation',
      moderationReason: null,
    };
    const mine = viewer !== null && item.author?.accountId === viewer.accountId;
    // Only the author's own comment needs the edit window: its Edit link.
    const thread = mine
      ? await this.api.read(request, reply, COMMENT_ROUTES.routes.thread, {
          params: { id: item.postId },
        })
      : null;
    const editWindowMinutes = thread?.status === 200 ? thread.body.editWindowMinutes : 0;
    const markup = commentArticle(item, {
      slug: post.status === 200 ? post.body.slug : '',
      csrf: csrfToken(request, reply),
      viewerAccountId: viewer?.accountId ?? null,
      canModerate: false,
      page: 1,
      order: 'oldest',
      editableAfter:
        editWindowMinutes > 0
          ? new Date(this.clock().getTime() - editWindowMinutes * 60_000).toISOString()
          : null,
      editing: null,
    });
    await reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        `<li id="comment-${item.id}" class="comment depth-${item.depth} ${item.status}" data-comment-id="${item.id}" data-depth="${item.depth}">${markup.value}</li>`,
      );
  }

  @Post('posts/:slug/like')
  async likePost(
    @Param('slug', { schema: slugParam }) slug: string,
    @Body({ schema: simpleFormSchema }) form: z.infer<typeof simpleFormSchema>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.pages.signedInForm(request, reply, form, `/posts/${slug}`))) return;
    const post = await this.api.read(request, reply, POST_ROUTES.routes.get, {
      params: { idOrSlug: slug },
    });
    if (post.status === 200) {
      const liked = { params: { id: post.body.id } };
      if (form.action === 'unlike')
        await this.api.send(request, reply, POST_ROUTES.routes.unlike, liked);
      else await this.api.send(request, reply, POST_ROUTES.routes.like, liked);
    }
    await this.pages.redirect(reply, postPath(slug));
  }

  @Post('comments/:id/like')
  async likeComment(
    @Param('id', { schema: idParam }) id: string,
    @Body({ schema: simpleFormSchema }) form: z.infer<typeof simpleFormSchema>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const back = localRedirect(form.back);
    const like =
      form.action === 'unlike'
        ? routed(COMMENT_ROUTES.routes.unlike, { params: { id } })
        : routed(COMMENT_ROUTES.routes.like, { params: { id } });
    await this.pages.signedInChange(request, reply, form, like, back, back);
  }

  @Post('comments/:id/edit')
  async editComment(
    @Param('id', { schema: idParam }) id: string,
    @Body({ schema: z.object({ _csrf: z.string().optional(), back: text, body: text }) })
    form: { _csrf?: string; back?: string; body?: string },
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const back = localRedirect(form.back);
    if (!(await this.pages.signedInForm(request, reply, form, back))) return;
    const edited = await this.api.send(request, reply, COMMENT_ROUTES.routes.edit, {
      params: { id },
      body: { body: form.body ?? '' },
    });
    if (edited.status !== 200) {
      const problem = edited.body as unknown as Problem;
      const reason = problem?.errors?.[0]?.reason;
      return this.pages.message(
        request,
        reply,
        'Your comment was not changed',
        reason
          ? `The text ${reason}.`
          : problemMessage(problem, 'The comment could not be edited.'),
        { status: edited.status, link: { href: back, label: 'Back to the discussion' } },
      );
    }
    await this.pages.redirect(reply, back);
  }

  @Post('comments/:id/delete')
  async deleteComment(
    @Param('id', { schema: idParam }) id: string,
    @Body({ schema: simpleFormSchema }) form: z.infer<typeof simpleFormSchema>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const remove = routed(COMMENT_ROUTES.routes.remove, { params: { id } });
    await this.pages.formChange(request, reply, form, remove, localRedirect(form.back));
  }

  @Get('login')
  async loginForm(
    @Query({ schema: z.object({ next: text, 'password-reset': text }) })
    query: { next?: string; 'password-reset'?: string },
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.pages.page(
      request,
      reply,
      'Log in',
      loginPage(csrfToken(request, reply), localRedirect(query.next), blankAccountForm),
      {
        notice: query['password-reset']
          ? 'Your password is changed, and every login with the old one has ended. Log in with the new one.'
          : null,
      },
    );
  }

  @Get('forgot-password')
  async forgotPasswordForm(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.pages.page(
      request,
      reply,
      'Forgot your password?',
      forgotPasswordPage(csrfToken(request, reply), blankAccountForm),
    );
  }

  @Post('forgot-password')
  async forgotPassword(
    @Body({ schema: loginFormSchema }) form: z.infer<typeof loginFormSchema>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.pages.mailLink(request, reply, form, {
      path: '/api/v1/auth/password-reset',
      body: { email: form.email ?? '' },
      again: (problem) => ({
        title: 'Forgot your password?',
        main: forgotPasswordPage(csrfToken(request, reply), {
          values: { email: form.email ?? '' },
          errors: formErrors(problem?.errors),
          formError: problemMessage(problem, 'Could not send the link.'),
        }),
      }),
      mailed:
        'If an account has this address, a mail with a link to choose a new password is on its way to it. The link works once, within the hour.',
      back: { href: '/login', label: 'Back to log in' },
    });
  }

  @Get('reset-password')
  async resetPasswordForm(
    @Query({ schema: z.object({ token: text }) }) query: { token?: string },
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.pages.page(
      request,
      reply,
      'Choose a new password',
      resetPasswordPage(csrfToken(request, reply), query.token ?? '', {
        values: {},
        errors: {},
        formError: query.token
          ? null
          : 'This link has no token: open the link from the mail again.',
      }),
    );
  }

  @Post('reset-password')
  async resetPassword(
    @Body({ schema: loginFormSchema }) form: z.infer<typeof loginFormSchema>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.pages.formAccepted(request, reply, form))) return;
    const changed = await this.pages.submit(request, reply, {
      call: {
        method: 'POST',
        path: '/api/v1/auth/password-reset/confirm',
        body: { token: form.token ?? '', password: form.password ?? '' },
      },
      expected: 204,
      again: (problem) => {
        const errors = formErrors(problem?.errors);
        return {
          title: 'Choose a new password',
          main: resetPasswordPage(csrfToken(request, reply), form.token ?? '', {
            values: {},
            errors,
            formError: errors.token
              ? 'This link is not valid: open the link from the mail again.'
              : formProblemMessage(problem, 'Could not set the password.'),
          }),
        };
      },
    });
    if (!changed) return;
    // Every session of the account has ended, this browser's too.
    clearSessionCookies(reply);
    await this.pages.redirect(reply, '/login?password-reset=1');
  }

  @Post('login')
  async login(
    @Body({ schema: loginFormSchema }) form: z.infer<typeof loginFormSchema>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.startSession(request, reply, form, {
      call: {
        method: 'POST',
        path: '/api/v1/auth/login',
        body: { email: form.email ?? '', password: form.password ?? '' },
      },
      expected: 200,
      again: (problem) => ({
        title: 'Log in',
        main: loginPage(csrfToken(request, reply), localRedirect(form.next), {
          values: { email: form.email ?? '' },
          errors: formErrors(problem.errors),
          formError: problemMessage(problem, 'Could not log in.'),
        }),
      }),
    });
  }

  @Get('register')
  async registerForm(
    @Query({ schema: z.object({ next: text }) }) query: { next?: string },
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.pages.page(
      request,
      reply,
      'Create an account',
      registerPage(csrfToken(request, reply), localRedirect(query.next), blankAccountForm),
    );
  }

  @Post('register')
  async register(
    @Body({ schema: loginFormSchema }) form: z.infer<typeof loginFormSchema>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.startSession(request, reply, form, {
      call: {
        method: 'POST',
        path: '/api/v1/auth/register',
        body: {
          email: form.email ?? '',
          password: form.password ?? '',
          displayName: form.displayName ?? '',
        },
      },
      expected: 201,
      again: (problem) => ({
        title: 'Create an account',
        main: registerPage(csrfToken(request, reply), localRedirect(form.next), {
          values: { email: form.email ?? '', displayName: form.displayName ?? '' },
          errors: formErrors(problem.errors),
          formError: formProblemMessage(problem, 'Could not create the account.'),
        }),
      }),
    });
  }

  /**
   * A login or new-account form with this browser's CSRF token: logs the visitor in with the
   * tokens the API answers, and sends them on to the form's `next`; a problem shows the form
   * again, with its field errors.
   */
  private async startSession(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { _csrf?: string | undefined; next?: string | undefined },
    submission: Submission,
  ): Promise<void> {
    if (!(await this.pages.formAccepted(request, reply, form))) return;
    const tokens = await this.pages.submit<TokensResponse>(request, reply, submission);
    if (!tokens) return;
    this.api.startSession(request, reply, tokens.body);
    await this.pages.redirect(reply, localRedirect(form.next));
  }

  @Post('account/resend-verification')
  async resendVerification(
    @Body({ schema: simpleFormSchema }) form: z.infer<typeof simpleFormSchema>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.pages.formAccepted(request, reply, form))) return;
    if (!(await this.api.viewer(request, reply))) return this.pages.redirect(reply, '/login');
    const answer = await this.api.call<Problem>(request, {
      method: 'POST',
      path: '/api/v1/auth/resend-verification',
    });
    await this.pages.page(
      request,
      reply,
      'Check your mail',
      answer.status === 202
        ? messagePage(
            'Check your mail',
            'A new link to verify your address is on its way (a few an hour at most). Follow it, and Parley can send you email.',
            { href: '/', label: 'Back to the blog' },
          )
        : messagePage('Please try again', problemMessage(answer.body, 'No link could be sent.')),
      { status: answer.status === 202 ? 200 : answer.status },
    );
  }

  @Post('logout')
  async logout(
    @Body({ schema: simpleFormSchema }) form: z.infer<typeof simpleFormSchema>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.pages.formAccepted(request, reply, form))) return;
    const refreshToken = request.cookies[COOKIES.refresh];
    if (refreshToken)
      await this.api.call(request, {
        method: 'POST',
        path: '/api/v1/auth/logout',
        body: { refreshToken },
      });
    clearSessionCookies(reply);
    await this.pages.redirect(reply, '/');
  }

  @Post('preview')
  async preview(
    @Body({ schema: z.object({ body: z.string().max(300_000) }) }) body: { body: string },
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const viewer = await this.api.viewer(request, reply);
    if (!viewer) {
      await reply.status(401).send();
      return;
    }
    // A preview creates nothing: 200, not the 201 of a POST.
    await reply
      .status(200)
      .header('content-type', 'text/html; charset=utf-8')
      .send(renderPostMarkdown(body.body));
  }

  @Get('avatars/:seed')
  async avatar(
    @Param('seed', { schema: z.string().regex(/^[A-Za-z0-9_-]{1,128}\.svg$/) }) seed: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await reply
      .header('content-type', 'image/svg+xml')
      .header('cache-control', 'public, max-age=86400, immutable')
      .send(identicon(seed.replace(/\.svg$/, '')));
  }

  @Get('assets/:file')
  async asset(
    @Param('file', { schema: z.enum(['parley.css', 'parley.js']) }) file: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const content = await readFile(join(ASSETS, file), 'utf8');
    await reply
      .header('content-type', ASSET_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'text/plain')
      .header('cache-control', 'public, max-age=300')
      .send(content);
  }
}

export type { ApiAnswer, Actor };
