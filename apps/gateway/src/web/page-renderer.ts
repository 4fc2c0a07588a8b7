import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BlogIdentity } from './blog-identity';
import type { Renderable } from './html';
import { PublicApi } from './public-api';
import { messagePage } from './views/account-pages';
import { layout } from './views/layout';
import { csrfToken } from './web-session';

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

/** Every HTML page of the site in the blog's frame: its name, the viewer's links, the form token. */
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
      .send(page.value);
  }

  /** A form without this browser's CSRF token: refused, with the way to send it again. */
  refuseForm(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.send(request, reply, {
      title: 'Please try again',
      main: messagePage(
        'Please try again',
        'This form was sent from somewhere else or has expired. Reload the page and send it again.',
      ),
      status: 403,
    });
  }

  /** A page that needs an account, asked for by a guest: to the login form, and back after. */
  async toLogin(request: FastifyRequest, reply: FastifyReply, next = request.url): Promise<void> {
    await reply
      .status(303)
      .header('location', `/login?next=${encodeURIComponent(next)}`)
      .send();
  }
}
