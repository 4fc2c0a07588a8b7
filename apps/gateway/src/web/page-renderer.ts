import { Injectable } from '@nestjs/common';
import {
  type Actor,
  POST_ROUTES,
  type PostView,
  type RouteEntry,
  type RouteRequest,
} from '@parley/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BlogIdentity } from './blog-identity';
import { pageBytes, type Renderable } from './html';
import { type ApiAnswer, PublicApi } from './public-api';
import { messagePage } from './views/account-pages';
import { layout } from './views/layout';
import type { Problem } from './web-problem';
import { csrfToken, formTokenValid } from './web-session';

export interface PageContent {
  /** The page's own title; null names the page by the blog alone (the front page). */
  title: string | null;
  main: Renderable;
  status?: number;
  notice?: string | null;
  dataset?: Record<string, string>;
  feeds?: { title: string; href: string }[];
  refreshSeconds?: number;
}

/** What a page asks of the public API: the method, the path, and the query, body and headers. */
export type ApiCall = Parameters<PublicApi['call']>[1];

/** A change a page asks of a route the gateway forwards, typed by the route's table entry. */
export interface RoutedChange {
  readonly send: (
    api: PublicApi,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => Promise<ApiAnswer<unknown>>;
}

/** The change of a forwarded route with its input, for a form to ask of the route's service. */
export function routed<R extends RouteEntry>(route: R, input: RouteRequest<R>): RoutedChange {
  return { send: (api, request, reply) => api.send(request, reply, route, input) };
}

/** A change a form asks for: through a forwarded route of the table, or a call of the public API. */
export type PageChange = RoutedChange | ApiCall;

/** A form's call to the API, the answer it is meant to get, and the page any other answer gets. */
export interface Submission {
  call: ApiCall;
  expected: number;
  /** The page for a problem: mostly the form once more, with its field errors. */
  again: (problem: Problem) => PageContent | Promise<PageContent>;
}

/** A form's request that the API mail the visitor a link, and what the page says either way. */
export interface LinkRequest {
  /** The API's path that mails the link: a POST, accepted (202) before the mail goes out. */
  path: string;
  body: ApiCall['body'];
  again: Submission['again'];
  /** What the page says once the link is on its way. */
  mailed: string;
  back: { href: string; label: string };
}

/**
 * Every HTML page of the site in the blog's frame (its name, the viewer's links, the form
 * token), and the checks a page makes before it acts: the form's token, the visitor's login.
 */
@Injectable()
export class PageRenderer {
  constructor(
    private readonly api: PublicApi,
    private readonly blog: BlogIdentity,
  ) {}

  async send(request: FastifyRequest, reply: FastifyReply, content: PageContent): Promise<void> {
    const [viewer, blog] = await Promise.all([
      this.api.pageViewer(request, reply).catch(() => null),
      this.blog.name(),
    ]);
    const page = layout({
      title: content.title === null ? blog.title : `${content.title} · ${blog.title}`,
      blogTitle: blog.title,
      ...(content.title === null && blog.description ? { description: blog.description } : {}),
      viewer,
      csrf: csrfToken(request, reply),
      notice: content.notice ?? null,
      ...(content.dataset ? { dataset: content.dataset } : {}),
      ...(content.feeds ? { feeds: content.feeds } : {}),
      ...(content.refreshSeconds === undefined ? {} : { refreshSeconds: content.refreshSeconds }),
      main: content.main,
    });
    await reply
      .status(content.status ?? 200)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(pageBytes(page));
  }

  /** A page of the blog under its own title; a null title is the front page, named by the blog alone. */
  page(
    request: FastifyRequest,
    reply: FastifyReply,
    title: string | null,
    main: Renderable,
    extra: Omit<PageContent, 'title' | 'main'> = {},
  ): Promise<void> {
    return this.send(request, reply, { title, main, ...extra });
  }

  /** A page that says one thing, under a heading that is also its title. */
  message(
    request: FastifyRequest,
    reply: FastifyReply,
    title: string,
    text: string,
    options: { status?: number; link?: { href: string; label: string } } = {},
  ): Promise<void> {
    return this.send(request, reply, {
      title,
      main: messagePage(title, text, options.link),
      status: options.status ?? 200,
    });
  }

  /** Sends the browser on to a path of the site: after a form, 303 (See Other). */
  async redirect(reply: FastifyReply, location: string, status = 303): Promise<void> {
    await reply.status(status).header('location', location).send();
  }

  /** A form without this browser's CSRF token: refused, with the way to send it again. */
  refuseForm(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.message(
      request,
      reply,
      'Please try again',
      'This form was sent from somewhere else or has expired. Reload the page and send it again.',
      { status: 403 },
    );
  }

  /** Whether a form carries this browser's CSRF token; one that does not is refused here. */
  async formAccepted(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { _csrf?: string | undefined },
  ): Promise<boolean> {
    if (formTokenValid(request, form._csrf)) return true;
    await this.refuseForm(request, reply);
    return false;
  }

  /** A page that needs an account, asked for by a guest: to the login form, and back after. */
  async toLogin(request: FastifyRequest, reply: FastifyReply, next = request.url): Promise<void> {
    await this.redirect(reply, `/login?next=${encodeURIComponent(next)}`);
  }

  /** The logged-in visitor; a guest is sent to the login form instead, to come back to `next`. */
  async signedIn(
    request: FastifyRequest,
    reply: FastifyReply,
    next = request.url,
  ): Promise<Actor | null> {
    const viewer = await this.api.viewer(request, reply);
    if (!viewer) await this.toLogin(request, reply, next);
    return viewer;
  }

  /** The logged-in visitor who sent a form with this browser's CSRF token; anyone else is answered here. */
  async signedInForm(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { _csrf?: string | undefined },
    next = request.url,
  ): Promise<Actor | null> {
    if (!(await this.formAccepted(request, reply, form))) return null;
    return this.signedIn(request, reply, next);
  }

  /** A form that asks the API for one change (none: null) as whoever sent it, a guest too, then goes to `then`. */
  async formChange(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { _csrf?: string | undefined },
    change: PageChange | null,
    then: string,
  ): Promise<void> {
    if (!(await this.formAccepted(request, reply, form))) return;
    // The visitor's session, renewed if it must be, so that the change is made as them.
    await this.api.viewer(request, reply);
    if (change) await this.change(request, reply, change);
    await this.redirect(reply, then);
  }

  /** A logged-in account's form that asks the API for one change (none: null), then goes to `then`. */
  async signedInChange(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { _csrf?: string | undefined },
    change: PageChange | null,
    then: string,
    next = request.url,
  ): Promise<void> {
    if (!(await this.signedInForm(request, reply, form, next))) return;
    if (change) await this.change(request, reply, change);
    await this.redirect(reply, then);
  }

  /** Asks for a form's change as the visitor. */
  change(
    request: FastifyRequest,
    reply: FastifyReply,
    change: PageChange,
  ): Promise<ApiAnswer<unknown>> {
    return 'send' in change
      ? change.send(this.api, request, reply)
      : this.api.call(request, change);
  }

  /**
   * Makes a form's call to the API as the visitor. Any answer but the expected one is a
   * problem: the page `again` makes of it is shown with the answer's status, and null returned.
   */
  async submit<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    { call, expected, again }: Submission,
  ): Promise<ApiAnswer<T> | null> {
    const answer = await this.api.call<T>(request, call);
    if (answer.status === expected) return answer;
    const page = await again(answer.body as Problem);
    await this.send(request, reply, { ...page, status: answer.status });
    return null;
  }

  /**
   * A form that asks the API to mail the visitor a link: a page says it is on its way (the
   * `mailed` text, and the way `back`), or a problem shows the form again.
   */
  async mailLink(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { _csrf?: string | undefined },
    { path, body, again, mailed, back }: LinkRequest,
  ): Promise<void> {
    if (!(await this.formAccepted(request, reply, form))) return;
    const call: ApiCall = { method: 'POST', path, body };
    if (!(await this.submit(request, reply, { call, expected: 202, again }))) return;
    await this.message(request, reply, 'Check your mail', mailed, { link: back });
  }

  /** The post of this slug or id; where there is none, the Not found page is shown and null returned. */
  async postOrNotFound(
    request: FastifyRequest,
    reply: FastifyReply,
    slugOrId: string,
  ): Promise<PostView | null> {
    const post = await this.api.read(request, reply, POST_ROUTES.routes.get, {
      params: { idOrSlug: slugOrId },
    });
    if (post.status === 200) return post.body;
    await this.message(request, reply, 'Not found', 'There is no such post.', { status: 404 });
    return null;
  }
}
