import type { DomainEvent } from '@parley/contracts';
import {
  type HarnessMode,
  type ServiceHarness,
  describeInfra,
  openSse,
  publishEvents,
  startServiceHarness,
} from '@parley/testing';
import { gatewayService } from '../gateway.service';
import { gatewayAloneOptions } from '../testing/gateway-alone';

function posted(
  commentId: string,
  postId: string,
  status: 'approved' | 'pending',
): DomainEvent<'parley.comment.posted.v3'> {
  return {
    type: 'parley.comment.posted.v3',
    data: {
      commentId,
      postId,
      parentId: null,
      ancestorIds: [],
      ancestorAuthorIds: [],
      depth: 1,
      author: { kind: 'guest', guestId: 'g1', name: 'Wade', email: 'wade@example.com', url: null },
      body: 'Hello **there**',
      html: '<p>Hello <strong>there</strong></p>',
      status,
      moderationReason: status === 'pending' ? 'first comment of a guest' : null,
      notify: 'none',
      postAuthorId: null,
      postTitle: 'Her',
      postSlug: 'her',
      viewerTokenHash: null,
      postedAt: new Date().toISOString(),
    },
  };
}

function liveScenario(mode: HarnessMode): void {
  describe(`live comment feed (${mode})`, () => {
    let gateway: ServiceHarness;

    beforeAll(async () => {
      gateway = await startServiceHarness(
        gatewayService(gatewayAloneOptions({ timeoutMs: 500 })),
        mode,
      );
    });

    afterAll(async () => {
      await gateway.close();
    });

    it('streams a newly visible comment of the post to its readers, and nothing held or from other posts', async () => {
      const stream = await openSse(`${gateway.url}/api/v1/posts/post-a/comments/stream`);
      expect(stream.status).toBe(200);
      const topic = gateway.infra.topicName('comments');
      await publishEvents(gateway.infra.bus, topic, '/parley/comments', 'comment-held', [
        posted('held', 'post-a', 'pending'),
      ]);
      await publishEvents(gateway.infra.bus, topic, '/parley/comments', 'comment-other', [
        posted('other', 'post-b', 'approved'),
      ]);
      await publishEvents(gateway.infra.bus, topic, '/parley/comments', 'comment-c1', [
        posted('c1', 'post-a', 'approved'),
      ]);

      const event = await stream.next((e) => e.event === 'comment');
      const data = JSON.parse(event.data) as {
        commentId: string;
        html: string;
        author: Record<string, unknown>;
      };
      expect(data.commentId).toBe('c1');
      expect(data.html).toBe('<p>Hello <strong>there</strong></p>');
      expect(data.author).toEqual({ kind: 'guest', accountId: null, name: 'Wade', url: null });
      expect(event.data).not.toContain('wade@example.com');
      expect(
        stream.events
          .filter((e) => e.event === 'comment')
          .map((e) => JSON.parse(e.data) as { commentId: string })
          .map((d) => d.commentId),
      ).toEqual(['c1']);
      stream.close();
    });

    it('refuses the notification stream without a valid token', async () => {
      const response = await fetch(`${gateway.url}/api/v1/notifications/stream?access_token=nope`);
      expect(response.status).toBe(401);
    });
  });
}

liveScenario('embedded');
describeInfra('live feeds on the real infrastructure', () => liveScenario('distributed'));
