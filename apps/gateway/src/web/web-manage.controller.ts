import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  COMMENT_ROUTES,
  NOTIFICATION_ROUTES,
  POST_ROUTES,
  type PostView,
  type SubscriptionList,
  type WebhookView,
} from '@parley/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { renderPostMarkdown } from '@parley/text';
import { type ApiCall, type PageChange, PageRenderer, routed } from './page-renderer';
import { idParam, postPath, slugParam } from './page-params';
import { PublicApi } from './public-api';
import { untilShown } from './until-shown';
import { messagePage } from './views/account-pages';
import { formErrors } from './views/comment-form';
import {
  type EditorState,
  editorPage,
  inboxPage,
  manageSubscriptionsPage,
  type ModerationTab,
  moderationPage,
  webhookCreatedPage,
  whyPage,
} from './views/manage-pages';
import { formProblemMessage, type Problem } from './web-problem';
import { csrfToken } from './web-session';

const text = z.string().max(300_000).optional();
const tokenQuery = z.object({ token: z.string().min(16).max(2000).optional() });
const manageForm = z.object({
  _csrf: text,
  token: text,
  frequency: z.enum(['immediate', 'hourly', 'daily']).optional(),
  do: z.enum(['save', 'unsubscribe']).optional(),
  days: text,
});
const webhookForm = z.object({
  _csrf: text,
  url: text,
  id: text,
  // An unchecked box is not sent at all.
  useForSubscriptions: text,
});
const csrfForm = z.object({
  _csrf: text,
  status: z.enum(['approved', 'pending', 'spam', 'trash']).optional(),
});
const MODERATION_TABS: readonly ModerationTab[] = ['pending', 'spam', 'trash'];
const moderationQuery = z.object({ status: z.enum(['pending', 'spam', 'trash']).optional() });
const removedForm = z.object({ _csrf: text, from: z.enum(['spam', 'trash']).optional() });
const editorForm = z.object({
  _csrf: text,
  revision: text,
  title: text,
  body: text,
  categories: text,
  tags: text,
  series: text,
  publishAt: text,
  commentsMode: z.enum(['', 'open', 'closed', 'auto-close']).optional(),
  autoCloseDays: text,
  do: z.enum(['save', 'preview', 'publish', 'schedule', 'unpublish']).optional(),
});

/** The post's comment settings as the editor sets them; none leaves the blog's default (new posts) or the post's own. */
function commentSettingsOf(form: z.infer<typeof editorForm>): {
  commentSettings?: { mode: string; autoCloseDays: number | string | null };
} {
  if (!form.commentsMode) return {};
  const days = (form.autoCloseDays ?? '').trim();
  return {
    commentSettings: {
      mode: form.commentsMode,
      autoCloseDays:
        form.commentsMode === 'auto-close' ? (/^\d{1,9}$/.test(days) ? Number(days) : days) : null,
    },
  };
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** The fields of a post as the editor sends them to the API, to create or to update it. */
function postFields(form: z.infer<typeof editorForm>) {
  return {
    title: form.title ?? '',
    body: form.body ?? '',
    categories: list(form.categories),
    tags: list(form.tags),
    series: form.series?.trim() || null,
    ...commentSettingsOf(form),
  };
}

/** The subscriptions page, reached by a manage link's token or by the login. */
function manageAddress(token: string | undefined): string {
  return `/subscriptions/manage${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

const BLANK_EDITOR: EditorState = { values: {}, errors: {}, formError: null, preview: null };

/** The pages behind the account: notifications, subscriptions, writing and moderating. */
@ApiExcludeController()
@Controller()
export class WebManageController {
  constructor(
    private readonly api: PublicApi,
    private readonly pages: PageRenderer,
  ) {}

  @Get('notifications')
  async inbox(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!(await this.pages.signedIn(request, reply))) return;
    const inbox = await this.api.read(request, reply, NOTIFICATION_ROUTES.routes.inbox, {
      query: { limit: 50 },
    });
    const body =
      inbox.status === 200 ? inbox.body : { items: [], unreadCount: 0, nextCursor: null };
    await this.pages.page(
      request,
      reply,
      'Notifications',
      inboxPage(body, csrfToken(request, reply)),
    );
  }

  @Post('notifications/read-all')
  async readAll(
    @Body({ schema: csrfForm }) form: z.infer<typeof csrfForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const readAll = routed(NOTIFICATION_ROUTES.routes.readAll, {});
    await this.pages.signedInChange(request, reply, form, readAll, '/notifications');
  }

  @Get('notifications/:id/why')
  async why(
    @Param('id', { schema: idParam }) id: string,
    @Query({ schema: tokenQuery }) query: z.infer<typeof tokenQuery>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!query.token && !(await this.pages.signedIn(request, reply))) return;
    const why = await this.api.read(request, reply, NOTIFICATION_ROUTES.routes.why, {
      params: { id },
      query: { token: query.token || undefined },
    });
    if (why.status !== 200)
      return this.pages.message(
        request,
        reply,
        'Not found',
        'There is no such notification for you.',
        {
          status: why.status,
        },
      );
    await this.api.send(request, reply, NOTIFICATION_ROUTES.routes.read, { params: { id } });
    await this.pages.page(request, reply, 'Why was I notified?', whyPage(why.body));
  }

  @Get('subscriptions/manage')
  async manage(
    @Query({ schema: tokenQuery }) query: z.infer<typeof tokenQuery>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!query.token && !(await this.pages.signedIn(request, reply))) return;
    const subscriptions = await this.subscriptions(request, reply, query.token);
    if (subscriptions.status !== 200) {
      const problem = subscriptions.body as unknown as Problem;
      await this.pages.page(
        request,
        reply,
        'Subscriptions',
        messagePage(
          'This link does not work',
          problem.title ?? 'The link is not valid or has expired. Use the link from a newer mail.',
        ),
        { status: subscriptions.status },
      );
      return;
    }
    await this.renderManage(request, reply, subscriptions.body, query.token ?? null, null);
  }

  /** The subscriptions of a manage link's token, or without one of the logged-in account. */
  private subscriptions(request: FastifyRequest, reply: FastifyReply, token: string | undefined) {
    return this.api.read(request, reply, NOTIFICATION_ROUTES.routes.list, {
      query: { token: token || undefined },
    });
  }

  /** The subscriptions, and for a logged-in account its webhook (a manage link does not reach it). */
  private async renderManage(
    request: FastifyRequest,
    reply: FastifyReply,
    subscriptions: SubscriptionList,
    token: string | null,
    webhookError: { url: string; reason: string } | null,
    status = 200,
  ): Promise<void> {
    let webhook: { current: WebhookView | null; error: typeof webhookError } | null = null;
    if (!token && (await this.api.viewer(request, reply))) {
      const hooks = await this.api.read(request, reply, NOTIFICATION_ROUTES.routes.webhooks, {});
      webhook = {
        current: hooks.status === 200 ? (hooks.body.items[0] ?? null) : null,
        error: webhookError,
      };
    }
    await this.pages.page(
      request,
      reply,
      'Your subscriptions',
      manageSubscriptionsPage(subscriptions, csrfToken(request, reply), token, webhook),
      { status },
    );
  }

  @Post('subscriptions/manage/webhook')
  async registerWebhook(
    @Body({ schema: webhookForm }) form: z.infer<typeof webhookForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.pages.signedInForm(request, reply, form))) return;
    const url = (form.url ?? '').trim();
    const created = await this.api.send(
      request,
      reply,
      NOTIFICATION_ROUTES.routes.registerWebhook,
      {
        body: { url, useForSubscriptions: form.useForSubscriptions !== undefined },
      },
    );
    if (created.status === 201) {
      const page = webhookCreatedPage(created.body.url, created.body.secret);
      return this.pages.page(request, reply, 'Webhook added', page);
    }
    const problem = created.body as unknown as Problem;
    const reason =
      problem.errors?.find((e) => e.field === 'url')?.reason ??
      problem.detail ??
      problem.title ??
      'This webhook could not be added';
    const subscriptions = await this.subscriptions(request, reply, undefined);
    await this.renderManage(
      request,
      reply,
      subscriptions.body,
      null,
      { url, reason },
      created.status >= 500 ? 502 : 422,
    );
  }

  @Post('subscriptions/manage/webhook/remove')
  async removeWebhook(
    @Body({ schema: webhookForm }) form: z.infer<typeof webhookForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const remove = form.id
      ? routed(NOTIFICATION_ROUTES.routes.removeWebhook, { params: { id: form.id } })
      : null;
    await this.pages.signedInChange(request, reply, form, remove, '/subscriptions/manage');
  }

  @Post('subscriptions/manage/pause')
  async pause(
    @Body({ schema: manageForm }) form: z.infer<typeof manageForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const pause = routed(NOTIFICATION_ROUTES.routes.pause, {
      query: { token: form.token || undefined },
      body: { days: Number(form.days) || 7 },
    });
    await this.pages.formChange(request, reply, form, pause, manageAddress(form.token));
  }

  @Post('subscriptions/manage/:id')
  async change(
    @Param('id', { schema: idParam }) id: string,
    @Body({ schema: manageForm }) form: z.infer<typeof manageForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.pages.formAccepted(request, reply, form))) return;
    await this.api.viewer(request, reply);
    const asked = { params: { id }, query: { token: form.token || undefined } };
    const frequency = form.frequency;
    if (form.do === 'unsubscribe') {
      const done = await this.api.send(request, reply, NOTIFICATION_ROUTES.routes.remove, asked);
      if (done.status < 300)
        await this.settled(
          request,
          reply,
          form.token,
          id,
          (s) => s === undefined || s.status === 'unsubscribed',
        );
    } else if (frequency) {
      const done = await this.api.send(request, reply, NOTIFICATION_ROUTES.routes.update, {
        ...asked,
        body: { frequency },
      });
      if (done.status < 300)
        await this.settled(request, reply, form.token, id, (s) => s?.frequency === frequency);
    }
    await this.pages.redirect(reply, manageAddress(form.token));
  }

  /**
   * The subscription list is a read model a moment behind the change: wait briefly (bounded)
   * until it shows it, so the page the subscriber lands on does.
   */
  private async settled(
    request: FastifyRequest,
    reply: FastifyReply,
    token: string | undefined,
    id: string,
    shows: (subscription: SubscriptionList['items'][number] | undefined) => boolean,
  ): Promise<void> {
    await untilShown(async () => {
      const list = await this.subscriptions(request, reply, token);
      return list.status !== 200 || shows(list.body.items.find((s) => s.id === id));
    });
  }

  @Get('moderation')
  async moderation(
    @Query({ schema: moderationQuery }) query: z.infer<typeof moderationQuery>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.pages.signedIn(request, reply))) return;
    const tab = query.status ?? 'pending';
    const list = (status: ModerationTab, limit: number) =>
      this.api.read(request, reply, COMMENT_ROUTES.routes.queue, { query: { status, limit } });
    const [queue, ...others] = await Promise.all([
      list(tab, 50),
      ...MODERATION_TABS.filter((t) => t !== tab).map((t) => list(t, 1)),
    ]);
    if (queue.status !== 200) {
      const refusal = (queue.body as unknown as Problem).title ?? 'You may not moderate comments.';
      return this.pages.message(request, reply, 'Moderation', refusal, { status: queue.status });
    }
    const totals = [queue.body.total, ...others.map((o) => (o.status === 200 ? o.body.total : 0))];
    const order = [tab, ...MODERATION_TABS.filter((t) => t !== tab)];
    const counts = Object.fromEntries(order.map((t, i) => [t, totals[i] ?? 0])) as Record<
      ModerationTab,
      number
    >;
    await this.pages.page(
      request,
      reply,
      'Moderation',
      moderationPage({ tab, queue: queue.body, counts, csrf: csrfToken(request, reply) }),
    );
  }

  @Post('moderation/empty-trash')
  async emptyTrash(
    @Body({ schema: csrfForm }) form: z.infer<typeof csrfForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const empty = routed(COMMENT_ROUTES.routes.emptyTrash, {});
    await this.pages.signedInChange(request, reply, form, empty, '/moderation?status=trash');
  }

  @Post('moderation/:id')
  async moderate(
    @Param('id', { schema: idParam }) id: string,
    @Body({ schema: csrfForm }) form: z.infer<typeof csrfForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const moderate = routed(COMMENT_ROUTES.routes.moderate, {
      params: { id },
      body: { status: form.status ?? 'approved' },
    });
    await this.pages.signedInChange(request, reply, form, moderate, '/moderation');
  }

  /** Restore from spam or trash, or delete for good, then back to the tab it was done from. */
  @Post('moderation/:id/:action')
  async restoreOrDelete(
    @Param('id', { schema: idParam }) id: string,
    @Param('action', { schema: z.enum(['restore', 'delete']) }) action: 'restore' | 'delete',
    @Body({ schema: removedForm }) form: z.infer<typeof removedForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const change =
      action === 'restore'
        ? routed(COMMENT_ROUTES.routes.restore, { params: { id } })
        : routed(COMMENT_ROUTES.routes.remove, { params: { id } });
    await this.pages.signedInChange(
      request,
      reply,
      form,
      change,
      `/moderation?status=${form.from ?? 'trash'}`,
    );
  }

  @Get('write')
  async write(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!(await this.pages.signedIn(request, reply))) return;
    await this.showEditor(request, reply, null, BLANK_EDITOR);
  }

  @Post('write')
  async create(
    @Body({ schema: editorForm }) form: z.infer<typeof editorForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.pages.signedInForm(request, reply, form))) return;
    // The form's fields as written: the API names each one it refuses, as the editor shows.
    const create: ApiCall = { method: 'POST', path: '/api/v1/posts', body: postFields(form) };
    await this.savePost(request, reply, null, form, create, 201);
  }

  @Get('posts/:slug/edit')
  async edit(
    @Param('slug', { schema: slugParam }) slug: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.pages.signedIn(request, reply))) return;
    const post = await this.pages.postOrNotFound(request, reply, slug);
    if (post) await this.showEditor(request, reply, post, BLANK_EDITOR);
  }

  @Post('posts/:slug/edit')
  async update(
    @Param('slug', { schema: slugParam }) slug: string,
    @Body({ schema: editorForm }) form: z.infer<typeof editorForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.pages.signedInForm(request, reply, form))) return;
    const post = await this.pages.postOrNotFound(request, reply, slug);
    if (!post) return;
    const update: ApiCall = {
      method: 'PATCH',
      path: `/api/v1/posts/${encodeURIComponent(post.id)}`,
      headers: { 'if-match': `"${Number(form.revision) || post.revision}"` },
      body: postFields(form),
    };
    await this.savePost(request, reply, post, form, update, 200);
  }

  /**
   * The editor's form, for a new post (`post` null) or a saved one: its preview, or the post
   * saved by `call` (answered `expected`) and then published, scheduled or unpublished as asked;
   * a problem shows the editor again.
   */
  private async savePost(
    request: FastifyRequest,
    reply: FastifyReply,
    post: PostView | null,
    form: z.infer<typeof editorForm>,
    call: PageChange,
    expected: number,
  ): Promise<void> {
    if (form.do === 'preview')
      return this.editor(request, reply, post, form, null, renderPostMarkdown(form.body ?? ''));
    const saved = await this.pages.change(request, reply, call);
    if (saved.status !== expected)
      return this.editor(request, reply, post, form, saved.body as Problem, null, saved.status);
    await this.afterSave(request, reply, saved.body as PostView, form);
  }

  /** After saving: publish, schedule or unpublish as asked, then show the editor again. */
  private async afterSave(
    request: FastifyRequest,
    reply: FastifyReply,
    post: PostView,
    form: z.infer<typeof editorForm>,
  ): Promise<void> {
    const params = { id: post.id };
    let answer: { status: number; body: unknown } | null = null;
    if (form.do === 'publish')
      answer = await this.api.send(request, reply, POST_ROUTES.routes.publish, { params });
    if (form.do === 'unpublish')
      answer = await this.api.send(request, reply, POST_ROUTES.routes.unpublish, { params });
    if (form.do === 'schedule') {
      const at = form.publishAt ? new Date(`${form.publishAt}Z`) : null;
      answer = await this.api.send(request, reply, POST_ROUTES.routes.schedule, {
        params,
        body: { publishAt: at && !Number.isNaN(at.getTime()) ? at.toISOString() : '' },
      });
    }
    if (answer && answer.status !== 200)
      return this.editor(request, reply, post, form, answer.body as Problem, null, answer.status);
    const fresh = await this.api.read(request, reply, POST_ROUTES.routes.get, {
      params: { idOrSlug: post.id },
    });
    const slug = fresh.status === 200 ? fresh.body.slug : post.slug;
    await this.pages.redirect(reply, `${postPath(slug)}${form.do === 'publish' ? '' : '/edit'}`);
  }

  /** The editor again with what the form sent, the problem the API found in it, or its preview. */
  private editor(
    request: FastifyRequest,
    reply: FastifyReply,
    post: PostView | null,
    form: z.infer<typeof editorForm>,
    problem: Problem | null,
    preview: string | null,
    status = 200,
  ): Promise<void> {
    const state: EditorState = {
      values: {
        title: form.title ?? '',
        body: form.body ?? '',
        tags: form.tags ?? '',
        categories: form.categories ?? '',
        series: form.series ?? '',
        publishAt: form.publishAt ?? '',
        commentsMode: form.commentsMode ?? '',
        autoCloseDays: form.autoCloseDays ?? '',
      },
      errors: formErrors(
        problem?.errors?.map((e) => ({ ...e, field: e.field.replace(/^commentSettings\./, '') })),
      ),
      formError: problem ? formProblemMessage(problem, 'That did not work.') : null,
      preview,
    };
    return this.showEditor(request, reply, post, state, status);
  }

  private showEditor(
    request: FastifyRequest,
    reply: FastifyReply,
    post: PostView | null,
    state: EditorState,
    status = 200,
  ): Promise<void> {
    return this.pages.page(
      request,
      reply,
      post ? `Edit ${post.title}` : 'Write a post',
      editorPage(post, state, csrfToken(request, reply)),
      { status },
    );
  }
}
