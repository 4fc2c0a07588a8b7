import { Writable } from 'node:stream';
import type { Actor, PostView } from '@parley/contracts';
import { runRebuildCommand } from '@parley/platform';
import {
  type ServiceHarness,
  describeInfra,
  eventually,
  startServiceHarness,
} from '@parley/testing';
import { postsService } from './posts.service';

function capture(): { out: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    out: new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    }),
    text: () => chunks.join(''),
  };
}

describeInfra('the rebuild command on Kafka and the Mongo-compatible server', () => {
  let posts: ServiceHarness;
  const author: Actor = { accountId: 'alice', displayName: 'Alice', roles: ['author'] };

  beforeAll(async () => {
    posts = await startServiceHarness(postsService(), 'distributed');
    for (const title of ['Her', 'Lost in Translation', 'Arrival']) {
      const draft = await posts.request<PostView>(
        'POST',
        '/v1/posts',
        { title, body: 'x' },
        author,
      );
      await posts.request('POST', `/v1/posts/${draft.body.id}/publish`, undefined, author);
    }
    await eventually(async () => {
      const list = await posts.request<{ items: PostView[] }>('GET', '/v1/posts');
      return list.body.items.length === 3 ? true : undefined;
    });
  });

  afterAll(async () => {
    await posts?.close();
  });

  it('replays the projection into a new generation with a progress bar, and readers see the same posts', async () => {
    const before = await posts.request<{ items: PostView[] }>('GET', '/v1/posts');
    const { out, text } = capture();
    const code = await runRebuildCommand({
      definition: postsService(),
      infra: posts.infra,
      args: ['posts', '--drop-previous'],
      out,
    });
    expect(code).toBe(0);
    expect(text()).toMatch(/posts \[[█░]+\] 100% \| 6\/6 events/);
    expect(text()).toMatch(
      /posts: generation 1 → 2, 6 events in [\d.]+ s \(\d+ events\/s\), generation 1 dropped/,
    );
    const after = await eventually(async () => {
      const list = await posts.request<{ items: PostView[] }>('GET', '/v1/posts');
      return list.body.items.length === 3 ? list.body : undefined;
    });
    expect(after.items).toEqual(before.body.items);
  });

  it('names the projections when asked for one it does not have', async () => {
    const { out, text } = capture();
    const code = await runRebuildCommand({
      definition: postsService(),
      infra: posts.infra,
      args: ['thread'],
      out,
    });
    expect(code).toBe(64);
    expect(text()).toContain('unknown projection: thread');
    expect(text()).toContain('projections of posts: posts');
  });
});
