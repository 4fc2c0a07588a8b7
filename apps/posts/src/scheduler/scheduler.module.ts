import { Module } from '@nestjs/common';
import { PostsModule } from '../posts/posts.module';
import { ReadModelModule } from '../read-model/read-model.module';
import { PostScheduler } from './post-scheduler';
import { SchedulerController } from './scheduler.controller';

@Module({
  imports: [PostsModule, ReadModelModule],
  controllers: [SchedulerController],
  providers: [PostScheduler],
  exports: [PostScheduler],
})
export class SchedulerModule {}
