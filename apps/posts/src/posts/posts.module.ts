import { type DynamicModule, Module } from '@nestjs/common';
import { ReadModelModule } from '../read-model/read-model.module';
import { POSTS_OPTIONS, PostUseCases, type PostsOptions } from './post-use-cases';
import { PostsController } from './posts.controller';

/** The blog's settings for its posts, for every feature module of the service. */
@Module({})
export class PostsOptionsModule {
  static forRoot(options: PostsOptions): DynamicModule {
    return {
      module: PostsOptionsModule,
      global: true,
      providers: [{ provide: POSTS_OPTIONS, useValue: options }],
      exports: [POSTS_OPTIONS],
    };
  }
}

@Module({
  imports: [ReadModelModule],
  controllers: [PostsController],
  providers: [PostUseCases],
  exports: [PostUseCases],
})
export class PostsModule {}
