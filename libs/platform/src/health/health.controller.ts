import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ReadinessService } from './readiness.service';

const HEALTH_SCHEMA = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'draining', 'unavailable'] },
    checks: { type: 'object', additionalProperties: { type: 'object' } },
  },
  required: ['status'],
};

@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** The process is alive and its event loop turns. */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is alive and its event loop turns.' })
  @ApiResponse({
    status: 200,
    description: 'Alive',
    content: { 'application/json': { schema: HEALTH_SCHEMA } },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Every dependency answers and the process is not shutting down. */
  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: every dependency answers and the process is not shutting down.',
  })
  @ApiResponse({
    status: 200,
    description: 'Ready',
    content: { 'application/json': { schema: HEALTH_SCHEMA } },
  })
  @ApiResponse({
    status: 503,
    description: 'Not ready (draining or a dependency is down): which check failed',
    content: { 'application/json': { schema: HEALTH_SCHEMA } },
  })
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
