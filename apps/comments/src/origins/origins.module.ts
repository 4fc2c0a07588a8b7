import { Module } from '@nestjs/common';
import { CommentOrigins } from './comment-origins';

@Module({ providers: [CommentOrigins], exports: [CommentOrigins] })
export class OriginsModule {}
