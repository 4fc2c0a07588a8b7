import 'reflect-metadata';
import { runService } from '@parley/platform';
import { CommentsAppModule } from './comments-app.module';

void runService('comments', (config, logger) => CommentsAppModule.forRoot(config, logger));
