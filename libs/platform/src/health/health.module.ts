import { Global, Module } from '@nestjs/common';
import { HealthController, MetricsController } from './health.controller';
import { ReadinessService } from './readiness.service';

@Global()
@Module({
  controllers: [HealthController, MetricsController],
  providers: [ReadinessService],
  exports: [ReadinessService],
})
export class HealthModule {}
