import { Module } from '@nestjs/common';
import { OriginsModule } from '../origins/origins.module';
import { PersonalDataModule } from '../personal-data/personal-data.module';
import { PostStatusModule } from '../post-status/post-status.module';
import { SettingsModule } from '../settings/settings.module';
import { ThreadModule } from '../thread/thread.module';
import { CommentUseCases } from './comment-use-cases';
import { CommentsController } from './comments.controller';
import { ImportsController } from './imports.controller';

@Module({
  imports: [OriginsModule, PersonalDataModule, PostStatusModule, SettingsModule, ThreadModule],
  controllers: [CommentsController, ImportsController],
  providers: [CommentUseCases],
  exports: [CommentUseCases],
})
export class CommentsModule {}
