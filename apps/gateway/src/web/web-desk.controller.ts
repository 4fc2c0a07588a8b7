import { COMMENT_ROUTES, POST_ROUTES, can, importIdParamSchema } from '@parley/contracts';
import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Actor, BlogSettingsView, CommentSettingsView, PostSummary } from '@parley/contracts';
import { ProblemException } from '@parley/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { FormTokenCheckedInStream } from '../auth/authentication.guard';
import { ImportJobs } from '../imports/import-jobs';
import { type ApiCall, type PageChange, PageRenderer, routed } from './page-renderer';
import { idParam } from './page-params';
import { PublicApi } from './public-api';
import {
  type SettingsFormState,
  confirmDeletePage,
  deskPage,
  blogSettingsFieldErrors,
  settingsFieldErrors,
  settingsPage,
  settingsValues,
} from './views/desk-pages';
import { importFormPage, importProgressPage } from './views/import-pages';
import { type Problem, titleAndDetail } from './web-problem';
import { csrfToken, formTokenValid } from './web-session';

const text = z.string().max(300_000).optional();
const csrfForm = z.object({ _csrf: text, confirm: text });
const commentsForm = z.object({ _csrf: text, mode: z.enum(['open', 'closed']).optional() });
const settingsForm = z.object({
  _csrf: text,
  blogTitle: text,
  blogDescription: text,
  newPostComments: text,
  newPostCloseDays: text,
  threadDepth: text,
  editWindowMinutes: text,
  requireApproval: text,
  guestsPreviouslyApproved: text,
  accountsPreviouslyApproved: text,
  maxLinks: text,
  holdWords: text,
  spamWords: text,
  floodSeconds: text,
  commentsPerPage: text,
  defaultOrder: text,
});
type SettingsForm = z.infer<typeof settingsForm>;

const SECTIONS = [
  { status: 'draft', title: 'Drafts' },
  { status: 'scheduled', title: 'Scheduled' },
  { status: 'published', title: 'Published' },
] as const;

const IMPORT_REFUSAL = 'Only authors and admins import posts.';
const SETTINGS_REFUSAL = 'Only the blog’s admins change settings.';

function isAdmin(actor: Actor): boolean {
  return can(actor, 'administer');
}

/** Who keeps a desk: the blog's authors and admins (the posts service decides on each post). */
function writes(actor: Actor): boolean {
  return can(actor, 'write');
}

/** A whole number as typed, or the text itself so that the API names the field it refuses. */
function whole(value: string | undefined): number | string {
  const trimmed = (value ?? '').trim();
  return /^-?\d{1,9}$/.test(trimmed) ? Number(trimmed) : trimmed;
}

function lines(value: string | undefined): string[] {
  return (value ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** The author's desk (their posts) and the blog's settings page. */
@ApiExcludeController()
@Controller()
export class WebDeskController {
  constructor(
    private readonly api: PublicApi,
    private readonly pages: PageRenderer,
    private readonly imports: ImportJobs,
  ) {}

  /** The signed-in viewer allowed by `may`; a guest goes to the login form, anyone else is refused. */
  private async allowed(
    request: FastifyRequest,
    reply: FastifyReply,
    may: (actor: Actor) => boolean,
    refusal: string,
  ): Promise<Actor | null> {
    const viewer = await this.pages.signedIn(request, reply);
    if (!viewer || may(viewer)) return viewer;
    await this.pages.message(request, reply, 'Not allowed', refusal, { status: 403 });
    return null;
  }

  /** A form of the viewer allowed by `may`, sent with this browser's CSRF token. */
  private async allowedForm(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { _csrf?: string | undefined },
    may: (actor: Actor) => boolean,
    refusal: string,
  ): Promise<Actor | null> {
    if (!(await this.pages.formAccepted(request, reply, form))) return null;
    return this.allowed(request, reply, may, refusal);
  }

  private async failed(
    request: FastifyRequest,
    reply: FastifyReply,
    answer: { status: number; body: unknown },
  ): Promise<void> {
    const problem = answer.body as Problem | undefined;
    await this.pages.message(
      request,
      reply,
      'That did not work',
      titleAndDetail(problem, 'The post could not be changed.'),
      { status: answer.status, link: { href: '/desk/posts', label: 'Back to your posts' } },
    );
  }

  /** Asks the API for one change to a post, answered `expected`: back to the desk, else why not. */
  private async changePost(
    request: FastifyRequest,
    reply: FastifyReply,
    change: PageChange,
    expected: number,
  ): Promise<void> {
    const changed = await this.pages.change(request, reply, change);
    if (changed.status !== expected) return this.failed(request, reply, changed);
    await this.pages.redirect(reply, '/desk/posts');
  }

  @Get('desk/posts')
  async desk(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const viewer = await this.allowed(request, reply, writes, 'Only authors keep posts here.');
    if (!viewer) return;
    const sections = await Promise.all(
      SECTIONS.map(async (section) => {
        const page = await this.api.read(request, reply, POST_ROUTES.routes.list, {
          query: {
            status: section.status,
            limit: 50,
            author: isAdmin(viewer) ? undefined : viewer.accountId,
          },
        });
        const posts: PostSummary[] = page.status === 200 ? page.body.items : [];
        return { ...section, posts };
      }),
    );
    await this.pages.page(
      request,
      reply,
      'Posts',
      deskPage(sections, csrfToken(request, reply), isAdmin(viewer)),
    );
  }

  @Post('desk/posts/:id/comments')
  async comments(
    @Param('id', { schema: idParam }) id: string,
    @Body({ schema: commentsForm }) form: z.infer<typeof commentsForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.allowedForm(request, reply, form, writes, 'Only authors change posts.')))
      return;
    const setComments: ApiCall = {
      method: 'PUT',
      path: `/api/v1/posts/${encodeURIComponent(id)}/comment-settings`,
      body: { mode: form.mode ?? 'closed' },
    };
    await this.changePost(request, reply, setComments, 200);
  }

  @Get('desk/posts/:id/delete')
  async confirmDelete(
    @Param('id', { schema: idParam }) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.allowed(request, reply, writes, 'Only authors delete posts.'))) return;
    const post = await this.pages.postOrNotFound(request, reply, id);
    if (!post) return;
    await this.pages.page(
      request,
      reply,
      `Delete ${post.title}`,
      confirmDeletePage(post, csrfToken(request, reply)),
    );
  }

  @Post('desk/posts/:id/delete')
  async remove(
    @Param('id', { schema: idParam }) id: string,
    @Body({ schema: csrfForm }) form: z.infer<typeof csrfForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.allowedForm(request, reply, form, writes, 'Only authors delete posts.')))
      return;
    if (form.confirm !== 'yes')
      return this.pages.redirect(reply, `/desk/posts/${encodeURIComponent(id)}/delete`);
    const remove = routed(POST_ROUTES.routes.remove, { params: { id } });
    await this.changePost(request, reply, remove, 204);
  }

  @Get('desk/import')
  async importForm(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!(await this.allowed(request, reply, writes, IMPORT_REFUSAL))) return;
    const megabytes = Math.floor(this.imports.maxBytes / 1024 / 1024);
    await this.pages.page(
      request,
      reply,
      'Import from WordPress',
      importFormPage(csrfToken(request, reply), megabytes),
    );
  }

  /** The form's file, streamed into the import as it arrives (the token comes before it). */
  @Post('desk/import')
  @FormTokenCheckedInStream()
  async importUpload(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const viewer = await this.allowed(request, reply, writes, IMPORT_REFUSAL);
    if (!viewer) return;
    const refused = (status: number, reason: string) =>
      this.pages.message(request, reply, 'The file was not imported', reason, {
        status,
        link: { href: '/desk/import', label: 'Choose a file again' },
      });
    if (!request.isMultipart()) return refused(415, 'Send the file with the import form.');
    let token: string | undefined;
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.fieldname === '_csrf' && typeof part.value === 'string') token = part.value;
        continue;
      }
      if (!formTokenValid(request, token)) return this.pages.refuseForm(request, reply);
      try {
        const started = await this.imports.start(viewer, part.file);
        return await this.pages.redirect(reply, `/desk/imports/${started.id}`);
      } catch (error) {
        if (!(error instanceof ProblemException)) throw error;
        return refused(error.status, `${error.title}: ${error.detail ?? ''}`);
      }
    }
    if (!formTokenValid(request, token)) return this.pages.refuseForm(request, reply);
    return refused(422, 'Choose the WordPress export file to import.');
  }

  @Get('desk/imports/:id')
  async importProgress(
    @Param('id', { schema: idParam }) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const viewer = await this.allowed(request, reply, writes, IMPORT_REFUSAL);
    if (!viewer) return;
    const found = importIdParamSchema.safeParse(id).success ? await this.imports.find(id) : null;
    if (!found || (found.ownerId !== viewer.accountId && !isAdmin(viewer))) {
      return this.pages.message(
        request,
        reply,
        'No such import',
        'There is no import of yours at this address.',
        { status: 404, link: { href: '/desk/import', label: 'Import from WordPress' } },
      );
    }
    const over = found.view.state === 'done' || found.view.state === 'failed';
    await this.pages.page(
      request,
      reply,
      'Import from WordPress',
      importProgressPage(found.view),
      over ? {} : { refreshSeconds: 2 },
    );
  }

  @Get('settings')
  async settings(
    @Query({ schema: z.object({ saved: text }) }) query: { saved?: string },
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.allowed(request, reply, isAdmin, SETTINGS_REFUSAL))) return;
    const [blog, settings] = await Promise.all([
      this.api.call<BlogSettingsView>(request, { method: 'GET', path: '/api/v1/settings/blog' }),
      this.api.read(request, reply, COMMENT_ROUTES.routes.settings, {}),
    ]);
    if (blog.status !== 200) return this.failed(request, reply, blog);
    if (settings.status !== 200) return this.failed(request, reply, settings);
    const changes = [blog.body.changedAt, settings.body.changedAt].filter(
      (at): at is string => at !== null,
    );
    await this.pages.page(
      request,
      reply,
      'Settings',
      settingsPage(
        { values: settingsValues(blog.body, settings.body), errors: {}, formError: null },
        csrfToken(request, reply),
        changes.sort().at(-1) ?? null,
      ),
      { notice: query.saved ? 'The settings are saved.' : null },
    );
  }

  @Post('settings')
  async saveSettings(
    @Body({ schema: settingsForm }) form: SettingsForm,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.allowedForm(request, reply, form, isAdmin, SETTINGS_REFUSAL))) return;
    const closeDays = whole(form.newPostCloseDays);
    const [blog, saved] = await Promise.all([
      this.api.call<BlogSettingsView & Problem>(request, {
        method: 'PUT',
        path: '/api/v1/settings/blog',
        body: {
          title: form.blogTitle ?? '',
          description: form.blogDescription ?? '',
          defaultCommentSettings: {
            mode: form.newPostComments ?? '',
            ...(form.newPostComments === 'auto-close' || closeDays !== ''
              ? { autoCloseDays: closeDays }
              : {}),
          },
        },
      }),
      this.api.call<CommentSettingsView & Problem>(request, {
        method: 'PUT',
        path: '/api/v1/settings/comments',
        body: {
          threadDepth: whole(form.threadDepth),
          editWindowMinutes: whole(form.editWindowMinutes),
          requireApproval: Boolean(form.requireApproval),
          requirePreviouslyApproved: {
            guests: Boolean(form.guestsPreviouslyApproved),
            accounts: Boolean(form.accountsPreviouslyApproved),
          },
          maxLinks: whole(form.maxLinks),
          holdWords: lines(form.holdWords),
          spamWords: lines(form.spamWords),
          floodSeconds: whole(form.floodSeconds),
          commentsPerPage: whole(form.commentsPerPage),
          defaultOrder: form.defaultOrder ?? '',
        },
      }),
    ]);
    if (blog.status === 200 && saved.status === 200)
      return this.pages.redirect(reply, '/settings?saved=1');
    const refused = saved.status === 200 ? blog : saved;
    const problem = refused.body as Problem | undefined;
    const errors = {
      ...(blog.status === 200 ? {} : blogSettingsFieldErrors(blog.body?.errors)),
      ...(saved.status === 200 ? {} : settingsFieldErrors(saved.body?.errors)),
    };
    const { _csrf: _ignored, ...sent } = form;
    const state: SettingsFormState = {
      values: Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, v ?? ''])),
      errors,
      formError:
        Object.keys(errors).length > 0
          ? `${blog.status === 200 || saved.status === 200 ? 'Some settings were saved, others not' : 'The settings were not saved'}: please correct the marked fields.`
          : titleAndDetail(problem, 'The settings were not saved.'),
    };
    await this.pages.page(
      request,
      reply,
      'Settings',
      settingsPage(state, csrfToken(request, reply), null),
      { status: refused.status === 400 ? 422 : refused.status },
    );
  }
}
