import { Module } from '@nestjs/common';
import { PostStatusQueries } from './post-status.queries';

@Module({ providers: [PostStatusQueries], exports: [PostStatusQueries] })
export class PostStatusModule {}
