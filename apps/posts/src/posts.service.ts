import type { PostsConfig } from '@parley/config';
import {
  type Actor,
  type PostCommentSettings,
  commentSettingsInputSchema,
} from '@parley/contracts';
import {
  accountDataOpener,
  type PersonalDataOpener,
  type ServiceDefinition,
  ServiceRuntimeModule,
} from '@parley/platform';
import { LikesModule } from './likes/likes.module';
import type { PostsOptions } from './posts/posts.options';
import { PostsModule, PostsOptionsModule } from './posts/posts.module';
import { postResealers } from './posts/post-resealers';
import { postsProjection } from './read-model/posts.projection';
import { SchedulerModule } from './scheduler/scheduler.module';

export interface PostsServiceOptions {
  /** The blog's comment settings for posts drafted without their own; open by default. */
  defaultCommentSettings?: PostCommentSettings;
  /** The blog's name until an admin changes it; the configured one by default. */
  blogTitle?: string;
  /** How often the scheduler looks for posts whose time has come; every second by default. */
  schedulerIntervalMs?: number;
  /** The gateway's internal listener, which opens an account's sealed name; the configured one by default. */
  identityUrl?: string;
  /** Opens an account's sealed data in process (one-process platform) instead of at identityUrl. */
  accounts?: PersonalDataOpener;
}

/** Who posts is when it asks the gateway's identity to open an account's name. */
const POSTS_CALLER: Actor = {
  accountId: 'parley-posts',
  displayName: 'Parley posts',
  roles: ['admin'],
};

/** Room for the largest post body (200 kB of Markdown) in JSON, so a longer one gets its 422. */
const BODY_LIMIT = 1024 * 1024;

/** The posts service: what it publishes, its read models, its consumers and its HTTP surface. */
/** The blog's default comment settings as the operator configured them. */
export function defaultCommentSettingsOf(config: PostsConfig): PostCommentSettings {
  return config.commentsAutoCloseDays > 0
    ? { mode: 'auto-close', autoCloseDays: config.commentsAutoCloseDays }
    : { mode: 'open', autoCloseDays: null };
}

export function postsService(
  config?: PostsConfig,
  options: PostsServiceOptions = {},
): ServiceDefinition {
  const resolved: PostsOptions = {
    blog: {
      title: options.blogTitle ?? config?.blogTitle ?? 'Parley',
      description: '',
      defaultCommentSettings: commentSettingsInputSchema.parse(
        options.defaultCommentSettings ??
          (config ? defaultCommentSettingsOf(config) : { mode: 'open' }),
      ),
    },
    schedulerIntervalMs: options.schedulerIntervalMs ?? 1000,
  };
  return {
    name: 'posts',
    produces: ['posts'],
    resealers: postResealers,
    projections: [postsProjection],
    consumers: [],
    bodyLimit: BODY_LIMIT,
    // The read model's authors keep each account's name opened once, as the account events bring it.
    personalData: () =>
      accountDataOpener({
        service: 'posts',
        caller: POSTS_CALLER,
        identityUrl: options.identityUrl ?? config?.identityUrl,
        accounts: options.accounts,
      }),
    module: (infra) => ({
      module: class PostsServiceModule {},
      imports: [
        ServiceRuntimeModule.forRoot(infra),
        PostsOptionsModule.forRoot(resolved),
        PostsModule,
        LikesModule,
        SchedulerModule,
      ],
    }),
  };
}
