import 'reflect-metadata';
import { runService } from '@parley/platform';
import { PostsAppModule } from './posts-app.module';

void runService('posts', (config, logger) => PostsAppModule.forRoot(config, logger));
