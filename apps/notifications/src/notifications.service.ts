import type { NotificationsConfig } from '@parley/config';
import { type ServiceDefinition, ServiceRuntimeModule } from '@parley/platform';

/** The notifications service: what it publishes, its read models, its consumers and its HTTP surface. */
export function notificationsService(_config?: NotificationsConfig): ServiceDefinition {
  return {
    name: 'notifications',
    produces: ['notifications'],
    projections: [],
    consumers: [],
    module: (infra) => ({
      module: class NotificationsServiceModule {},
      imports: [ServiceRuntimeModule.forRoot(infra)],
    }),
  };
}
