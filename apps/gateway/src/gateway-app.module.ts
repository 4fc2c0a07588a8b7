import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayConfig } from '@parley/config';
import { DistributedInfrastructureModule, HealthModule } from '@parley/platform';
import type { Logger } from 'pino';

@Module({})
export class GatewayAppModule {
  static forRoot(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayAppModule,
      imports: [HealthModule, DistributedInfrastructureModule.forRoot(config, logger)],
    };
  }
}
