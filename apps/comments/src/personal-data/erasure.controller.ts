import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  type Actor,
  canOnOwn,
  type ErasureRequest,
  erasureRequestSchema,
  type ServiceErasure,
} from '@parley/contracts';
import { CurrentActor, ProblemException, requireActor } from '@parley/platform';
import { accountPerson, guestPerson } from '@parley/privacy';
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
    // An account may erase itself; anyone else, and any guest, only an admin.
    if (!canOnOwn(requireActor(actor), body.accountId ?? null, 'administer'))
      throw new ProblemException({
        status: 403,
        code: 'forbidden',
        title: 'Only an admin erases someone else',
      });
    const person =
      body.accountId !== undefined ? accountPerson(body.accountId) : guestPerson(body.email ?? '');
    return this.erasure.erase(person, body.mode);
  }
}
