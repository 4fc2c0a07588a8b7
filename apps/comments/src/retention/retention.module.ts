import { type DynamicModule, Module } from '@nestjs/common';
import { RETENTION_OPTIONS, RetentionJob, type RetentionOptions } from './retention.job';

/** The retention of personal data kept only for a while: IP addresses and user agents. */
@Module({})
export class RetentionModule {
  static forRoot(options: RetentionOptions): DynamicModule {
    return {
      module: RetentionModule,
      providers: [{ provide: RETENTION_OPTIONS, useValue: options }, RetentionJob],
      exports: [RetentionJob],
    };
  }
}
