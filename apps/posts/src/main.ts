import 'reflect-metadata';
import { runServiceProcess } from '@parley/platform';
import { postsService } from './posts.service';

void runServiceProcess('posts', (config) => postsService(config));
