import { type DynamicModule, Module } from '@nestjs/common';
import type { PostsConfig } from '@parley/config';
import { DistributedInfrastructureModule, HealthModule } from '@parley/platform';
import type { Logger } from 'pino';

@Module({})
export class PostsAppModule {
  static forRoot(config: PostsConfig, logger: Logger): DynamicModule {
    return {
      module: PostsAppModule,
      imports: [HealthModule, DistributedInfrastructureModule.forRoot(config, logger)],
    };
  }
}
