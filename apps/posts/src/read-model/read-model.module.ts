import { Module } from '@nestjs/common';
import { LegacyLinksController } from './legacy-links.controller';
import { PostQueries } from './post-queries';

@Module({
  controllers: [LegacyLinksController],
  providers: [PostQueries],
  exports: [PostQueries],
})
export class ReadModelModule {}
