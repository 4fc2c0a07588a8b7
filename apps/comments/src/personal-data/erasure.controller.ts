import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  type Actor,
  type ErasureRequest,
  erasureRequestSchema,
  type ServiceErasure,
} from '@parley/contracts';
import { CurrentActor, personToErase } from '@parley/platform';
import { ErasureService } from './erasure.service';

/** Internal: erasing a person's comments (the gateway asks it for admins and for the person). */
@Controller('v1')
export class ErasureController {
  constructor(private readonly erasure: ErasureService) {}

  @Post('personal-data/erasures')
  @HttpCode(200)
  async erase(
    @CurrentActor() actor: Actor | null,
    @Body({ schema: erasureRequestSchema }) body: ErasureRequest,
  ): Promise<ServiceErasure> {
    return this.erasure.erase(personToErase(actor, body), body.mode);
  }
}
