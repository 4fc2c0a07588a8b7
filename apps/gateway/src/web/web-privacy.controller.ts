import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { AccountView, PersonalDataExport } from '@parley/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PageRenderer } from './page-renderer';
import { PublicApi } from './public-api';
import { messagePage } from './views/account-pages';
import {
  ERASURE_CONFIRM_PATH,
  ERASURE_REQUESTS_PATH,
  type ErasureChoice,
  accountPage,
  erasureConfirmPage,
  privacyPage,
} from './views/privacy-pages';
import type { Problem } from './web-problem';
import { csrfToken } from './web-session';

const text = z.string().max(1000).optional();
const requestForm = z.object({ _csrf: text, email: text });
const erasureForm = z.object({ _csrf: text, email: text, mode: text });
const confirmForm = z.object({ _csrf: text, token: z.string().max(4096).optional() });
const tokenQuery = z.object({ token: z.string().max(4096).optional() });

/** Why a request for an address's data was refused: what is wrong with the address, or the problem. */
function addressRefusal(problem: Problem | undefined): string {
  const reason = problem?.errors?.find((e) => e.field === 'body.email')?.reason;
  return reason ? `The address ${reason}.` : (problem?.title ?? 'Could not send the link.');
}

/** The reader's data: the privacy page (export, delete), the account page and its download. */
@ApiExcludeController()
@Controller()
export class WebPrivacyController {
  constructor(
    private readonly api: PublicApi,
    private readonly pages: PageRenderer,
  ) {}

  /** An erasure link that does not work: the API's status, and the way to ask for a new link. */
  private erasureLinkRefused(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
  ): Promise<void> {
    return this.pages.message(
      request,
      reply,
      'Delete my data',
      'This link is not valid or has expired. Ask again on the privacy page: a new link works for an hour.',
      { status, link: { href: '/privacy#delete', label: 'Ask again' } },
    );
  }

  private async account(request: FastifyRequest, reply: FastifyReply): Promise<AccountView | null> {
    if (!(await this.api.viewer(request, reply))) return null;
    const me = await this.api.call<AccountView>(request, { method: 'GET', path: '/api/v1/me' });
    return me.status === 200 ? me.body : null;
  }

  @Get('privacy')
  async privacy(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const account = await this.account(request, reply);
    await this.pages.send(request, reply, {
      title: 'Your data',
      main: privacyPage(csrfToken(request, reply), {
        account,
        email: '',
        formError: null,
      }),
    });
  }

  @Post('privacy/export-requests')
  async requestExport(
    @Body({ schema: requestForm }) form: z.infer<typeof requestForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.pages.mailLink(request, reply, form, {
      path: '/api/v1/personal-data/requests',
      body: { email: form.email ?? '' },
      again: async (problem) => ({
        title: 'Your data',
        main: privacyPage(csrfToken(request, reply), {
          account: await this.account(request, reply),
          email: form.email ?? '',
          formError: addressRefusal(problem),
        }),
      }),
      mailed:
        'If this blog holds anything of this address, a mail with a link that downloads it is on its way. The link works for 24 hours.',
      back: { href: '/privacy', label: 'Back' },
    });
  }

  @Post(ERASURE_REQUESTS_PATH.slice(1))
  async requestErasure(
    @Body({ schema: erasureForm }) form: z.infer<typeof erasureForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.pages.mailLink(request, reply, form, {
      path: '/api/v1/personal-data/erasure-requests',
      body: { email: form.email ?? '', mode: form.mode === 'remove' ? 'remove' : 'anonymize' },
      again: (problem) => ({
        title: 'Delete my data',
        main: messagePage('Delete my data', addressRefusal(problem), {
          href: '/privacy#delete',
          label: 'Back',
        }),
      }),
      mailed:
        'If this blog holds anything of this address, a mail with a link to confirm the erasure is on its way. The link works for an hour.',
      back: { href: '/privacy', label: 'Back' },
    });
  }

  /** The mailed link: says what it will erase; only the button (a POST) erases. */
  @Get(ERASURE_CONFIRM_PATH.slice(1))
  async erasureLink(
    @Query({ schema: tokenQuery }) query: z.infer<typeof tokenQuery>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const token = query.token ?? '';
    const preview = await this.api.call<{ mode: ErasureChoice }>(request, {
      method: 'GET',
      path: `/api/v1/personal-data/erasure-requests/confirm?token=${encodeURIComponent(token)}`,
    });
    if (preview.status !== 200) return this.erasureLinkRefused(request, reply, preview.status);
    await this.pages.send(request, reply, {
      title: 'Delete my data',
      main: erasureConfirmPage(csrfToken(request, reply), token, preview.body.mode),
    });
  }

  @Post(ERASURE_CONFIRM_PATH.slice(1))
  async confirmErasure(
    @Body({ schema: confirmForm }) form: z.infer<typeof confirmForm>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.pages.formAccepted(request, reply, form))) return;
    const erased = await this.api.call<Problem>(request, {
      method: 'POST',
      path: '/api/v1/personal-data/erasure-requests/confirm',
      body: { token: form.token ?? '' },
    });
    if (erased.status !== 200) return this.erasureLinkRefused(request, reply, erased.status);
    await this.pages.send(request, reply, {
      title: 'Delete my data',
      main: messagePage(
        'Your data is erased',
        'Your name, address and website are gone from this blog, your subscriptions have ended, and nothing will be mailed to you again.',
        { href: '/', label: 'Back to the blog' },
      ),
    });
  }

  @Get('account')
  async accountHome(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const account = await this.account(request, reply);
    if (!account) return this.pages.toLogin(request, reply);
    await this.pages.send(request, reply, { title: 'Your account', main: accountPage(account) });
  }

  @Get('account/personal-data')
  async download(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!(await this.pages.signedIn(request, reply))) return;
    const answer = await this.api.call<PersonalDataExport>(request, {
      method: 'GET',
      path: '/api/v1/me/personal-data',
    });
    if (answer.status !== 200)
      return this.pages.message(
        request,
        reply,
        'Your data',
        'Your data could not be gathered just now. Try again in a moment.',
        { status: answer.status },
      );
    const disposition = answer.headers['content-disposition'];
    await reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .header(
        'content-disposition',
        typeof disposition === 'string'
          ? disposition
          : 'attachment; filename="parley-personal-data.json"',
      )
      .send(`${JSON.stringify(answer.body, null, 2)}\n`);
  }
}
