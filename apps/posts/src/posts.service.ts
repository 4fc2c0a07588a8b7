import type { PostsConfig } from '@parley/config';
import { type ServiceDefinition, ServiceRuntimeModule } from '@parley/platform';

/** The posts service: what it publishes, its read models, its consumers and its HTTP surface. */
export function postsService(_config?: PostsConfig): ServiceDefinition {
  return {
    name: 'posts',
    produces: ['posts'],
    projections: [],
    consumers: [],
    module: (infra) => ({
      module: class PostsServiceModule {},
      imports: [ServiceRuntimeModule.forRoot(infra)],
    }),
  };
}
