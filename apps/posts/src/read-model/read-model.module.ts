import { Module } from '@nestjs/common';
import { WordpressPostsController } from '../wordpress/wordpress.controller';
import { LegacyLinksController } from './legacy-links.controller';
import { PostQueries } from './post-queries';

@Module({
  controllers: [LegacyLinksController, WordpressPostsController],
  providers: [PostQueries],
  exports: [PostQueries],
})
export class ReadModelModule {}
