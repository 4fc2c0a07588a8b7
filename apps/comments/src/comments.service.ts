import type { CommentsConfig } from '@parley/config';
import { type ServiceDefinition, ServiceRuntimeModule } from '@parley/platform';

/** The comments service: what it publishes, its read models, its consumers and its HTTP surface. */
export function commentsService(_config?: CommentsConfig): ServiceDefinition {
  return {
    name: 'comments',
    produces: ['comments'],
    projections: [],
    consumers: [],
    module: (infra) => ({
      module: class CommentsServiceModule {},
      imports: [ServiceRuntimeModule.forRoot(infra)],
    }),
  };
}
