import { Controller, Get, Res } from '@nestjs/common';
import { registry } from '@parley/observability';
import type { FastifyReply } from 'fastify';
import { ReadinessService } from './readiness.service';

@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** The process is alive and its event loop turns. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Every dependency answers and the process is not shutting down. */
  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const report = await this.readiness.report();
    await reply
      .status(report.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({
        status: report.ready ? 'ok' : report.draining ? 'draining' : 'unavailable',
        checks: report.checks,
      });
  }
}

@Controller()
export class MetricsController {
  /** Prometheus metrics of the process. */
  @Get('metrics')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('content-type', registry.contentType).send(await registry.metrics());
  }
}
