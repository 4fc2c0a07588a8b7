import type { CommentsConfig } from '@parley/config';
import { type ServiceDefinition, ServiceRuntimeModule } from '@parley/platform';
import { CommentsModule } from './comments/comments.module';
import { LikesModule } from './likes/likes.module';
import { ModerationModule } from './moderation/moderation.module';
import { PersonalDataModule } from './personal-data/personal-data.module';
import { postStatusProjection } from './post-status/post-status.projection';
import { SettingsModule } from './settings/settings.module';
import { ThreadModule } from './thread/thread.module';
import { threadProjection } from './thread/thread.projection';

/** The comments service: what it publishes, its read models, its consumers and its HTTP surface. */
export function commentsService(_config?: CommentsConfig): ServiceDefinition {
  return {
    name: 'comments',
    produces: ['comments'],
    projections: [postStatusProjection, threadProjection],
    consumers: [],
    module: (infra) => ({
      module: class CommentsServiceModule {},
      imports: [
        ServiceRuntimeModule.forRoot(infra),
        SettingsModule,
        ThreadModule,
        CommentsModule,
        ModerationModule,
        LikesModule,
        PersonalDataModule,
      ],
    }),
  };
}
