import { Module } from '@nestjs/common';
import { CommentsModule } from '../comments/comments.module';
import { LikesController } from './likes.controller';

@Module({ imports: [CommentsModule], controllers: [LikesController] })
export class LikesModule {}
