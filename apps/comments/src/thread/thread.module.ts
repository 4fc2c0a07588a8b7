import { Module } from '@nestjs/common';
import { PostStatusModule } from '../post-status/post-status.module';
import { SettingsModule } from '../settings/settings.module';
import { CommentsExportController } from './export.controller';
import { CommentsPersonalDataController } from './personal-data.controller';
import { WordpressCommentsController } from '../wordpress/wordpress.controller';
import { ThreadController } from './thread.controller';
import { ThreadQueries } from './thread.queries';
import { ThreadService } from './thread.service';

@Module({
  imports: [PostStatusModule, SettingsModule],
  controllers: [
    ThreadController,
    CommentsExportController,
    CommentsPersonalDataController,
    WordpressCommentsController,
  ],
  providers: [ThreadQueries, ThreadService],
  exports: [ThreadQueries],
})
export class ThreadModule {}
