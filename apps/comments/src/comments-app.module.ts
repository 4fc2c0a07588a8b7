import { type DynamicModule, Module } from '@nestjs/common';
import type { CommentsConfig } from '@parley/config';
import { DistributedInfrastructureModule, HealthModule } from '@parley/platform';
import type { Logger } from 'pino';

@Module({})
export class CommentsAppModule {
  static forRoot(config: CommentsConfig, logger: Logger): DynamicModule {
    return {
      module: CommentsAppModule,
      imports: [HealthModule, DistributedInfrastructureModule.forRoot(config, logger)],
    };
  }
}
