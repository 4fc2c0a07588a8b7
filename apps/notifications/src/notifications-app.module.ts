import { type DynamicModule, Module } from '@nestjs/common';
import type { NotificationsConfig } from '@parley/config';
import { DistributedInfrastructureModule, HealthModule } from '@parley/platform';
import type { Logger } from 'pino';

@Module({})
export class NotificationsAppModule {
  static forRoot(config: NotificationsConfig, logger: Logger): DynamicModule {
    return {
      module: NotificationsAppModule,
      imports: [HealthModule, DistributedInfrastructureModule.forRoot(config, logger)],
    };
  }
}
