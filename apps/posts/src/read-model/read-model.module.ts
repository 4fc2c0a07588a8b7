import { Module } from '@nestjs/common';
import { PostsExportController } from './export.controller';
import { WordpressPostsController } from '../wordpress/wordpress.controller';
import { LegacyLinksController } from './legacy-links.controller';
import { PostsPersonalDataController } from './personal-data.controller';
import { PostQueries } from './post-queries';

@Module({
  controllers: [
    LegacyLinksController,
    PostsExportController,
    PostsPersonalDataController,
    WordpressPostsController,
  ],
  providers: [PostQueries],
  exports: [PostQueries],
})
export class ReadModelModule {}
