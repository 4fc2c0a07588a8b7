import { createHash } from 'node:crypto';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { COMMENT_ROUTES, POST_ROUTES } from '@parley/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { BlogIdentity } from './blog-identity';
import { PublicApi } from './public-api';
import { type FeedChannel, type FeedItem, feedUpdatedAt, rssFeed, xmlText } from './views/feed';
import { originOf } from './origin';
import { postPath } from './page-params';

const POSTS_IN_FEED = 20;
const COMMENTS_IN_FEED = 30;
/** Thread pages read for a comments feed; a reply may sit under an old thread on any page. */
const THREAD_PAGES_READ = 20;

/**
 * RSS 2.0 feeds of the blog's posts and of each post's comments. They are read as an anonymous
 * visitor (this controller never looks at the session), so only published posts and approved
 * comments are in them, and nothing but the public name of an author.
 */
@ApiExcludeController()
@Controller()
export class FeedsController {
  constructor(
    private readonly api: PublicApi,
    private readonly blog: BlogIdentity,
  ) {}

  @Get('feed')
  async posts(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const origin = originOf(request);
    const page = await this.api.read(request, reply, POST_ROUTES.routes.list, {
      query: { limit: POSTS_IN_FEED },
    });
    if (page.status !== 200) return unavailable(reply, page.status);
    const items: FeedItem[] = page.body.items
      .filter((post) => post.status === 'published' && post.publishedAt !== null)
      .map((post) => ({
        title: post.title,
        link: `${origin}${postPath(post.slug)}`,
        guid: `urn:parley:post:${post.id}`,
        published: new Date(post.publishedAt ?? post.updatedAt),
        author: post.author.displayName,
        descriptionHtml: `<p>${xmlText(post.excerpt)}</p>`,
        categories: [...post.categories, ...post.tags],
      }));
    const blog = await this.blog.name();
    await send(request, reply, {
      title: blog.title,
      link: `${origin}/`,
      self: `${origin}/feed`,
      description: blog.description || `The latest posts of ${blog.title}`,
      items,
    });
  }

  @Get('posts/:slug/feed')
  async comments(
    @Param('slug', { schema: z.string().min(1).max(200) }) slug: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const origin = originOf(request);
    const post = await this.api.read(request, reply, POST_ROUTES.routes.get, {
      params: { idOrSlug: slug },
    });
    if (post.status !== 200 || post.body.status !== 'published')
      return unavailable(reply, post.status === 200 ? 404 : post.status);
    const postUrl = `${origin}${postPath(post.body.slug)}`;
    const items: FeedItem[] = [];
    for (let page = 1; page <= THREAD_PAGES_READ; page++) {
      const thread = await this.api.read(request, reply, COMMENT_ROUTES.routes.thread, {
        params: { id: post.body.id },
        query: { page },
      });
      if (thread.status !== 200) return unavailable(reply, thread.status);
      for (const comment of thread.body.items) {
        if (comment.status !== 'approved' || comment.deleted || !comment.author) continue;
        items.push({
          title: `By: ${comment.author.name}`,
          link: `${postUrl}${page > 1 ? `?cpage=${page}` : ''}#comment-${comment.id}`,
          guid: `urn:parley:comment:${comment.id}`,
          published: new Date(comment.postedAt),
          author: comment.author.name,
          descriptionHtml: comment.html,
        });
      }
      if (page >= thread.body.totals.pages) break;
    }
    items.sort((a, b) => b.published.getTime() - a.published.getTime());
    const blog = await this.blog.name();
    await send(request, reply, {
      title: `Comments on: ${post.body.title}`,
      link: postUrl,
      self: `${postUrl}/feed`,
      description: `The latest comments on ${post.body.title} · ${blog.title}`,
      items: items.slice(0, COMMENTS_IN_FEED),
    });
  }
}

async function unavailable(reply: FastifyReply, status: number): Promise<void> {
  await reply
    .status(status === 404 ? 404 : 503)
    .header('content-type', 'text/plain; charset=utf-8')
    .send(status === 404 ? 'No such feed.' : 'The feed is unavailable right now.');
}

async function send(request: FastifyRequest, reply: FastifyReply, channel: FeedChannel) {
  const body = rssFeed(channel);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const updated = feedUpdatedAt(channel);
  void reply
    .header('etag', etag)
    .header('last-modified', updated.toUTCString())
    .header('cache-control', 'no-cache')
    .header('vary', 'host, x-forwarded-proto, x-forwarded-host');
  const matches = request.headers['if-none-match']?.split(',').some((tag) => tag.trim() === etag);
  if (matches) {
    await reply.status(304).send();
    return;
  }
  await reply.header('content-type', 'application/rss+xml; charset=utf-8').send(body);
}
