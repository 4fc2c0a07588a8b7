import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { createLogger, initTracing } from '@parley/observability';
import { createEmbeddedInfrastructure, openEmbeddedPlatform } from './service-infrastructure';
import { type RunningService, startService } from './start-service';
import { likesService } from './testing/core-scenario';

const exporter = new InMemorySpanExporter();
initTracing({ serviceName: 'parley-test', exporter });

describe('traces across HTTP and the bus', () => {
  let running: RunningService;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const platform = await openEmbeddedPlatform();
    const infra = await createEmbeddedInfrastructure(
      platform,
      'likes',
      createLogger('likes', 'silent'),
    );
    running = await startService(likesService, infra, { host: '127.0.0.1', port: 0 });
    close = async () => {
      await running.app.close();
      await platform.close();
    };
  });

  afterAll(async () => close());

  it("continues the request's trace in the consumers of the events it caused", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${running.url}/likes/traced`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({ accountId: 'amy' }),
    });
    expect(response.status).toBe(201);

    const deadline = Date.now() + 5000;
    const names = () =>
      exporter
        .getFinishedSpans()
        .filter((s) => s.spanContext().traceId === traceId)
        .map((s) => s.name);
    while (
      !(
        names().includes('process parley.post.liked.v2') &&
        names().includes('project parley.post.liked.v2')
      ) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(names()).toEqual(
      expect.arrayContaining([
        'POST /likes/:postId',
        'process parley.post.liked.v2',
        'project parley.post.liked.v2',
      ]),
    );
  });
});
