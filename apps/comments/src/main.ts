import 'reflect-metadata';
import { runServiceProcess } from '@parley/platform';
import { commentsService } from './comments.service';

void runServiceProcess('comments', (config) => commentsService(config));
