import type { Actor } from '@parley/contracts';
import { threadItem } from '@parley/testing';
import type { PostFacts } from '../post-status/post-facts';
import type { PostStatusQueries } from '../post-status/post-status.queries';
import { DEFAULT_COMMENT_SETTINGS } from '../settings/comment-settings.decider';
import type { SettingsService } from '../settings/settings.service';
import type { ThreadPageRequest, ThreadQueries } from './thread.queries';
import { ThreadService } from './thread.service';

const POST: PostFacts = {
  postId: 'p1',
  authorId: 'ann',
  title: 'Hello',
  slug: 'hello',
  status: 'published',
  deleted: false,
  commentSettings: { mode: 'open', autoCloseDays: null },
  firstPublishedAt: '2026-11-20T00:00:00.000Z',
};

const BEA: Actor = { accountId: 'bea', displayName: 'Bea', roles: ['reader'] };

/** The service over read models that count the thread pages made and answer a tick later. */
function setup() {
  const made: ThreadPageRequest[] = [];
  let version = 'c1';
  let held = 0;
  const queries = {
    threadVersion: async () => version,
    viewerState: async () => ({ liked: ['c2'], held }),
    page: async (request: ThreadPageRequest) => {
      made.push(request);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return {
        items: [threadItem('c1', { likeCount: 1 }), threadItem('c2', { likeCount: 1 })],
        totals: { comments: 2, threads: 2, pages: 1 },
      };
    },
  } as unknown as ThreadQueries;
  const posts = { find: async () => POST } as unknown as PostStatusQueries;
  const settings = { current: async () => DEFAULT_COMMENT_SETTINGS } as unknown as SettingsService;
  const service = new ThreadService(
    () => new Date('2026-11-24T13:00:00.000Z'),
    posts,
    settings,
    queries,
  );
  return {
    service,
    made,
    moveTo: (next: string) => (version = next),
    hold: (count: number) => (held = count),
  };
}

const everyone = { page: 1, view: 'public' as const };

describe('the thread service', () => {
  it('makes a changed page once for the readers who come together, and again only when the thread moves', async () => {
    const t = setup();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => t.service.sharedThread('p1', everyone)),
    );
    expect(t.made).toHaveLength(1);
    expect(new Set(answers.map((a) => a.etag)).size).toBe(1);
    await t.service.sharedThread('p1', everyone);
    expect(t.made).toHaveLength(1);
    t.moveTo('c2');
    const [next] = await Promise.all([
      t.service.sharedThread('p1', everyone),
      t.service.sharedThread('p1', everyone),
    ]);
    expect(t.made).toHaveLength(2);
    expect(next?.etag).not.toBe(answers[0]?.etag);
  });

  it("gives a reader with nothing held everyone's page with their likes, and one with a held comment their own", async () => {
    const t = setup();
    const shared = (await t.service.sharedThread('p1', everyone)).value.page;
    const bea = await t.service.thread('p1', everyone, BEA);
    expect(t.made).toHaveLength(1);
    expect(bea).toEqual({
      ...shared,
      items: shared.items.map((i) => ({ ...i, likedByViewer: i.id === 'c2' })),
    });
    // The kept page itself is never changed by a reader's likes.
    expect(shared.items.map((i) => i.likedByViewer)).toEqual([false, false]);

    t.hold(1);
    await t.service.thread('p1', everyone, BEA);
    expect(t.made.map((request) => [request.accountId, request.viewer.authorKey !== null])).toEqual(
      [
        [null, false],
        ['bea', true],
      ],
    );
  });
});
