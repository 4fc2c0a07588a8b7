import type { ThreadPage } from '@parley/contracts';
import { DEMO_PASSWORD, seedDemo } from '../../apps/gateway/src/embedded/demo-seed';
import {
  type EmbeddedParley,
  startEmbeddedParley,
} from '../../apps/gateway/src/embedded/embedded-platform';

describe('the demo blog (npm start -- --seed-demo)', () => {
  let parley: EmbeddedParley;

  beforeAll(async () => {
    parley = await startEmbeddedParley({ host: '127.0.0.1', port: 0, logLevel: 'silent' });
  });

  afterAll(async () => {
    await parley?.close();
  });

  it('writes a post with a discussion four levels deep, likes, and a comment awaiting moderation', async () => {
    const summary = await seedDemo(parley.url);
    expect(summary.seeded).toBe(true);
    const slug = summary.postUrl?.split('/posts/')[1] ?? '';
    const post = (await (await fetch(`${parley.url}/api/v1/posts/${slug}`)).json()) as {
      id: string;
      likeCount: number;
      series: string | null;
    };
    expect(post.series).toBe('Movie Quote Monday');
    expect(post.likeCount).toBe(3);
    const thread = (await (
      await fetch(`${parley.url}/api/v1/posts/${post.id}/comments`)
    ).json()) as ThreadPage;
    expect(thread.totals.comments).toBe(7);
    expect(Math.max(...thread.items.map((c) => c.depth))).toBe(4);
    expect(thread.items.filter((c) => c.likeCount > 0)).toHaveLength(2);

    const login = await fetch(`${parley.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: summary.accounts[0], password: DEMO_PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const queue = (await (
      await fetch(`${parley.url}/api/v1/moderation/queue`, {
        headers: { authorization: `Bearer ${accessToken}` },
      })
    ).json()) as { items: { author: { name: string } | null }[] };
    expect(queue.items.map((c) => c.author?.name)).toEqual(['Priya']);
    // Flood control is back as it was.
    const settings = (await (
      await fetch(`${parley.url}/api/v1/settings/comments`, {
        headers: { authorization: `Bearer ${accessToken}` },
      })
    ).json()) as {
      floodSeconds: number;
    };
    expect(settings.floodSeconds).toBe(15);
  });

  it('seeds nothing when the blog has posts already', async () => {
    expect(await seedDemo(parley.url)).toEqual({ seeded: false, accounts: [] });
  });
});
