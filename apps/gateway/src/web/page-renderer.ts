import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BlogIdentity } from './blog-identity';
import type { Renderable } from './html';
import { PublicApi } from './public-api';
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
      main: content.main,
    });
    await reply
      .status(content.status ?? 200)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(page.value);
  }
}
