import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HttpServiceTransport, InProcessServiceTransport, listen } from '@parley/platform';
import { serviceClientContract } from './testing/service-client-contract';

/** Closes the app once: a case that stops the service is followed by the cleanup's stop. */
function closingOnce(app: NestFastifyApplication) {
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
  };
}

serviceClientContract('over HTTP to a service listening on loopback', async (app) => {
  const { url } = await listen(app, '127.0.0.1', 0);
  return { transport: new HttpServiceTransport(url), stop: closingOnce(app) };
});

serviceClientContract('in process, into the service’s app without a socket', async (app) => {
  await app.init();
  return { transport: new InProcessServiceTransport(app), stop: closingOnce(app) };
});
