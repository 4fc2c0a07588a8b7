import { Module } from '@nestjs/common';
import { CommentsModule } from '../comments/comments.module';
import { OriginsModule } from '../origins/origins.module';
import { ThreadModule } from '../thread/thread.module';
import { ModerationController } from './moderation.controller';

@Module({
  imports: [CommentsModule, OriginsModule, ThreadModule],
  controllers: [ModerationController],
})
export class ModerationModule {}
