import { HttpServiceTransport, InProcessServiceTransport, listen } from '@parley/platform';
import { serviceClientContract } from './testing/service-client-contract';

serviceClientContract('over HTTP to a service listening on loopback', async (app) => {
  const { url } = await listen(app, '127.0.0.1', 0);
  let stopped = false;
  return {
    transport: new HttpServiceTransport(url),
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
  };
});

serviceClientContract('in process, into the service’s app without a socket', async (app) => {
  await app.init();
  let stopped = false;
  return {
    transport: new InProcessServiceTransport(app),
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
  };
});
