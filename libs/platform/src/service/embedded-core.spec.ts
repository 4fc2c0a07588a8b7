import { createLogger } from '@parley/observability';
import { createEmbeddedInfrastructure, openEmbeddedPlatform } from './service-infrastructure';
import { coreScenario } from './testing/core-scenario';

coreScenario('embedded, in memory', async () => {
  const platform = await openEmbeddedPlatform();
  const infra = await createEmbeddedInfrastructure(
    platform,
    'likes',
    createLogger('likes', 'silent'),
  );
  return {
    ...infra,
    close: async () => {
      await infra.close();
      await platform.close();
    },
  };
});
