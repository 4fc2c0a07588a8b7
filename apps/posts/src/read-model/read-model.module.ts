import { Module } from '@nestjs/common';
import { PostQueries } from './post-queries';

@Module({ providers: [PostQueries], exports: [PostQueries] })
export class ReadModelModule {}
