// Seeds a running Parley through its public API, as a blog's people would fill it.
import { randomUUID } from 'node:crypto';
import { type Answer, type ParleyClient, bodyOf, parleyClient } from '@parley/client';
import type { TokensResponse } from '@parley/contracts';
import { sleep } from './stack';

export class Api {
  constructor(readonly base: string) {}

  /** The typed client of the API as the bearer of `token`, or as a guest. */
  as(token?: string): ParleyClient {
    return parleyClient({ baseUrl: this.base, token });
  }

  /**
   * A call that must succeed. A read model a moment behind (the post not yet known to comments)
   * answers 404 at first, a busy server 5xx: the call is made again with the same Idempotency-Key,
   * so a retried write that went through answers its first result.
   */
  async must<T>(call: (headers: Record<string, string>) => Promise<Answer<T>>): Promise<T> {
    const headers = { 'idempotency-key': randomUUID() };
    for (let attempt = 0; ; attempt++) {
      const answer = await call(headers);
      if (answer.ok || (answer.status !== 404 && answer.status < 500) || attempt >= 50)
        return bodyOf(answer);
      await sleep(200);
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
    api.must((headers) =>
      api.as().identity.register({
        body: {
          email: `${name}@bench.example`,
          password: 'a-benchmark-password',
          displayName: name,
        },
        headers,
      }),
    );
  const admin = await register('admin');
  const reader = await register('reader');
  // No flood interval; one page holds 500 top-level threads, so a whole thread is one answer.
  await api.must((headers) =>
    api
      .as(admin.accessToken)
      .comments.changeSettings({ body: { floodSeconds: 0, commentsPerPage: 500 }, headers }),
  );
  return { api, admin, reader };
}

/** A new login of the blog's reader: an access token fresh for the next quarter of an hour. */
export function signInReader(blog: Blog): Promise<TokensResponse> {
  return blog.api.must((headers) =>
    blog.api.as().identity.login({
      body: { email: 'reader@bench.example', password: 'a-benchmark-password' },
      headers,
    }),
  );
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
  const author = api.as(admin.accessToken);
  const draft = await api.must((headers) =>
    author.posts.create({
      body: { title, body: `A post with ${comments} comments, for the benchmarks.` },
      headers,
    }),
  );
  const onPost = { params: { id: draft.id } };
  await api.must((headers) => author.posts.publish({ ...onPost, headers }));
  const thread = () => api.must(() => api.as().comments.thread(onPost));
  await api.until(async () => (await thread()).commentsOpen, 'the post to take comments');
  const write = (i: number, parentId?: string) =>
    api.must((headers) =>
      api.as((i % 2 === 0 ? reader : admin).accessToken).comments.post({
        ...onPost,
        body: {
          body: `Comment ${i} on ${title}: a few sentences of **markdown**, as readers write them. It says something about the post and asks a question back?`,
          ...(parentId ? { parentId } : {}),
        },
        headers,
      }),
    );
  const tops = Math.max(1, Math.floor(comments / 10));
  const topIds: string[] = [];
  await pool(tops, 8, async (i) => {
    topIds[i] = (await write(i)).id;
  });
  await pool(comments - tops, 8, async (i) => {
    await write(tops + i, topIds[i % tops]);
  });
  await api.until(
    async () => (await thread()).totals.comments >= comments,
    `${comments} comments in the thread`,
  );
  return { id: draft.id, slug: draft.slug, comments };
}
