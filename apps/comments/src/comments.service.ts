import { type CommentsConfig, DEFAULT_PERSONAL_DATA_RETENTION_DAYS } from '@parley/config';
import type { Actor } from '@parley/contracts';
import {
  accountDataOpener,
  type PersonalDataOpener,
  type ServiceDefinition,
  ServiceRuntimeModule,
} from '@parley/platform';
import { CommentsModule } from './comments/comments.module';
import { LikesModule } from './likes/likes.module';
import { ModerationModule } from './moderation/moderation.module';
import { commentResealers } from './personal-data/comment-resealers';
import { PersonalDataModule } from './personal-data/personal-data.module';
import { postStatusProjection } from './post-status/post-status.projection';
import { RetentionModule } from './retention/retention.module';
import { SettingsModule } from './settings/settings.module';
import { ThreadModule } from './thread/thread.module';
import { threadProjection } from './thread/thread.projection';

/** What the comments service reads of its configuration (the standalone mode passes its own). */
export type CommentsServiceOptions = Partial<
  Pick<CommentsConfig, 'personalData' | 'identityUrl'>
> & {
  /** Opens an account's sealed data in process (one-process platform) instead of at identityUrl. */
  accounts?: PersonalDataOpener;
};

/** Who comments is when it asks the gateway's identity to open an account's name. */
const COMMENTS_CALLER: Actor = {
  accountId: 'parley-comments',
  displayName: 'Parley comments',
  roles: ['admin'],
};

/** The comments service: what it publishes, its read models, its consumers and its HTTP surface. */
export function commentsService(options: CommentsServiceOptions = {}): ServiceDefinition {
  const retentionDays = options.personalData?.retentionDays ?? DEFAULT_PERSONAL_DATA_RETENTION_DAYS;
  return {
    name: 'comments',
    produces: ['comments'],
    projections: [postStatusProjection, threadProjection],
    consumers: [],
    resealers: commentResealers,
    // The thread's authors keep each account's name opened once, as the account events bring it.
    personalData: () =>
      accountDataOpener({
        service: 'comments',
        caller: COMMENTS_CALLER,
        identityUrl: options.identityUrl,
        accounts: options.accounts,
      }),
    module: (infra) => ({
      module: class CommentsServiceModule {},
      imports: [
        ServiceRuntimeModule.forRoot(infra),
        SettingsModule,
        ThreadModule,
        CommentsModule,
        ModerationModule,
        LikesModule,
        RetentionModule.forRoot({ retentionDays }),
        PersonalDataModule,
      ],
    }),
  };
}
