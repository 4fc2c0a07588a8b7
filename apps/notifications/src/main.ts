import 'reflect-metadata';
import { runService } from '@parley/platform';
import { NotificationsAppModule } from './notifications-app.module';

void runService('notifications', (config, logger) =>
  NotificationsAppModule.forRoot(config, logger),
);
