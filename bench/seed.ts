// Seeds a running Parley through its public API, as a blog's people would fill it.
import { randomUUID } from 'node:crypto';
import type { PostCommentResponse, PostView, TokensResponse } from '@parley/contracts';
import { sleep } from './stack';

export class Api {
  constructor(readonly base: string) {}

  async call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
    // The same key on every attempt: a retried write that went through answers its first result.
    const key = randomUUID();
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          ...(method === 'GET' ? {} : { 'idempotency-key': key }),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      // A read model a moment behind (the post not yet known to comments) answers 404/409 at first.
      if ((response.status === 404 || response.status >= 500) && attempt < 50) {
        await sleep(200);
        continue;
      }
      if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    }
  }

  async until(probe: () => Promise<boolean>, what: string, timeoutMs = 600_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(200);
    }
  }
}

export interface Blog {
  api: Api;
  admin: TokensResponse;
  reader: TokensResponse;
}

/** The first account (the blog's admin), a reader, and comment settings for benchmarks. */
export async function startBlog(base: string): Promise<Blog> {
  const api = new Api(base);
  const register = (name: string) =>
    api.call<TokensResponse>('POST', '/api/v1/auth/register', {
      email: `${name}@bench.example`,
      password: 'a-benchmark-password',
      displayName: name,
    });
  const admin = await register('admin');
  const reader = await register('reader');
  // No flood interval; one page holds 500 top-level threads, so a whole thread is one answer.
  await api.call(
    'PUT',
    '/api/v1/settings/comments',
    { floodSeconds: 0, commentsPerPage: 500 },
    admin.accessToken,
  );
  return { api, admin, reader };
}

export interface SeededPost {
  id: string;
  slug: string;
  comments: number;
}

async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) await task(i);
    }),
  );
}

/** A published post with `comments` comments: one in ten top-level, nine replies under each. */
export async function seedPost(blog: Blog, title: string, comments: number): Promise<SeededPost> {
  const { api, admin, reader } = blog;
  const draft = await api.call<PostView>(
    'POST',
    '/api/v1/posts',
    { title, body: `A post with ${comments} comments, for the benchmarks.` },
    admin.accessToken,
  );
  await api.call('POST', `/api/v1/posts/${draft.id}/publish`, undefined, admin.accessToken);
  await api.until(async () => {
    const thread = await api.call<{ commentsOpen: boolean }>(
      'GET',
      `/api/v1/posts/${draft.id}/comments`,
    );
    return thread.commentsOpen;
  }, 'the post to take comments');
  const write = (i: number, parentId?: string) =>
    api.call<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${draft.id}/comments`,
      {
        body: `Comment ${i} on ${title}: a few sentences of **markdown**, as readers write them. It says something about the post and asks a question back?`,
        ...(parentId ? { parentId } : {}),
      },
      (i % 2 === 0 ? reader : admin).accessToken,
    );
  const tops = Math.max(1, Math.floor(comments / 10));
  const topIds: string[] = [];
  await pool(tops, 8, async (i) => {
    topIds[i] = (await write(i)).id;
  });
  await pool(comments - tops, 8, async (i) => {
    await write(tops + i, topIds[i % tops]);
  });
  await api.until(async () => {
    const thread = await api.call<{ totals: { comments: number } }>(
      'GET',
      `/api/v1/posts/${draft.id}/comments`,
    );
    return thread.totals.comments >= comments;
  }, `${comments} comments in the thread`);
  return { id: draft.id, slug: draft.slug, comments };
}
