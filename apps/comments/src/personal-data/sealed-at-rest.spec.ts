import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostCommentResponse, ThreadPage } from '@parley/contracts';
import { eventually, publishEvents, startServiceHarness } from '@parley/testing';
import { commentsService } from '../comments.service';
import { postDrafted, postPublished } from '../testing/comments-scenario';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe("a guest's personal data at rest in the standalone data folder", () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'parley-sealed-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("holds the guest's comment, but none of their name, email or website in clear", async () => {
    const guest = {
      name: 'Quentin Plaintextsson',
      email: 'quentin.plain@unsealed.example',
      url: 'https://quentin-plain.example',
    };
    const service = await startServiceHarness(commentsService(), 'embedded', { dataDir });
    try {
      const postId = `sealed-${Date.now().toString(36)}`;
      await publishEvents(
        service.infra.bus,
        service.infra.topicName('posts'),
        '/parley/posts',
        `post-${postId}`,
        [postDrafted(postId, 'Sealed at rest'), postPublished(postId, 'Sealed at rest')],
      );
      await eventually(
        async () =>
          (await service.request('GET', `/v1/posts/${postId}/comments`)).status === 200 ||
          undefined,
      );
      const posted = await service.request<PostCommentResponse>(
        'POST',
        `/v1/posts/${postId}/comments`,
        { body: 'A comment kept on disk.', author: guest },
      );
      expect(posted.status).toBe(201);
      expect(posted.body.comment.author).toMatchObject({ name: guest.name, url: guest.url });
      // Published on the bus's topic too, before the folder is read.
      await eventually(async () => {
        const logs = await Promise.all(
          (await filesUnder(join(dataDir, 'bus'))).map((f) => readFile(f, 'utf8')),
        );
        return logs.some((log) => log.includes(posted.body.id)) || undefined;
      });
      const thread = await service.request<ThreadPage>(
        'GET',
        `/v1/posts/${postId}/comments?view=moderation`,
        undefined,
        { accountId: 'mo', displayName: 'Mo', roles: ['moderator'] },
      );
      expect(JSON.stringify(thread.body)).toContain(guest.name);
    } finally {
      await service.close();
    }

    const files = await filesUnder(dataDir);
    expect(files.map((f) => f.slice(dataDir.length))).toEqual(
      expect.arrayContaining([
        join('/comments', 'events.jsonl'),
        join('/comments', 'person-keys.json'),
      ]),
    );
    const bytes = Buffer.concat(await Promise.all(files.map((f) => readFile(f))));
    expect(bytes.includes('A comment kept on disk.')).toBe(true);
    for (const plaintext of [guest.name, guest.email, guest.url, 'quentin-plain.example'])
      expect(bytes.includes(plaintext)).toBe(false);
  });
});
