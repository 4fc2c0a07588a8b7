import { type DynamicModule, Module } from '@nestjs/common';
import { BlogModule } from '../blog/blog.module';
import { ReadModelModule } from '../read-model/read-model.module';
import { ImportsController } from './imports.controller';
import { PostUseCases } from './post-use-cases';
import { POSTS_OPTIONS, type PostsOptions } from './posts.options';
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
  imports: [ReadModelModule, BlogModule],
  controllers: [PostsController, ImportsController],
  providers: [PostUseCases],
  exports: [PostUseCases],
})
export class PostsModule {}
