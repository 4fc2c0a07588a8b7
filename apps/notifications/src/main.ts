import 'reflect-metadata';
import { runServiceProcess } from '@parley/platform';
import { notificationsService } from './notifications.service';

void runServiceProcess('notifications', (config) => notificationsService(config));
