import { topicName } from '@parley/contracts';
import { MemoryMailbox } from '@parley/mail';
import { type ServiceDefinition, sharedConsumerGroups } from '@parley/platform';
import { commentsService } from '../../apps/comments/src/comments.service';
import { notificationsService } from '../../apps/notifications/src/notifications.service';
import { postsService } from '../../apps/posts/src/posts.service';

/** The services that scale on consumer lag (KEDA); the gateway scales on CPU. */
export const LAG_SCALED_APPS = ['posts', 'comments', 'notifications'] as const;
export type LagScaledApp = (typeof LAG_SCALED_APPS)[number];

/** The service definitions themselves, so group names come from the code that runs them. */
export function definitionOf(app: LagScaledApp): ServiceDefinition {
  switch (app) {
    case 'posts':
      return postsService();
    case 'comments':
      return commentsService();
    case 'notifications':
      return notificationsService({
        mailer: new MemoryMailbox(),
        from: 'Parley <notifications@blog.example>',
        tokenSecret: 'z'.repeat(40),
        publicBaseUrl: 'https://blog.example',
      });
  }
}

/** The k8s/README.md table: each lag-scaled service, its consumer groups and their topics. */
export function consumerGroupTableMarkdown(): string {
  const rows = LAG_SCALED_APPS.flatMap((app) =>
    sharedConsumerGroups(definitionOf(app)).map(
      (group) =>
        `| ${app} | \`${group.groupId}\` | ${group.topics.map((t) => `\`${topicName(t)}\``).join(', ')} |`,
    ),
  );
  return ['| Service | Consumer group | Topics |', '| --- | --- | --- |', ...rows].join('\n');
}
