import { Module } from '@nestjs/common';
import { ReadModelModule } from '../read-model/read-model.module';
import { LikeUseCases } from './like-use-cases';
import { LikesController } from './likes.controller';

@Module({ imports: [ReadModelModule], controllers: [LikesController], providers: [LikeUseCases] })
export class LikesModule {}
