import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  type Actor,
  type OpenPersonalDataRequest,
  type OpenPersonalDataResponse,
  openPersonalDataRequestSchema,
} from '@parley/contracts';
import { CurrentActor, requireCapability } from '@parley/platform';
import { PersonalDataCipher } from '@parley/privacy';
import { openedForContract } from './comment-personal-data';

/**
 * Opens the sealed personal data of comment events for the services that need it (the
 * notifications policy, the gateway's live feed), so that the guests' keys never leave this
 * service. Internal: the gateway does not forward it, and only services and admins call it.
 */
@Controller('v1/personal-data')
export class PersonalDataController {
  constructor(private readonly cipher: PersonalDataCipher) {}

  @Post('opened')
  @HttpCode(200)
  async open(
    @CurrentActor() actor: Actor | null,
    @Body({ schema: openPersonalDataRequestSchema }) body: OpenPersonalDataRequest,
  ): Promise<OpenPersonalDataResponse> {
    requireCapability(actor, 'administer');
    const opened = await this.cipher.openStoredAll(body.values);
    return { values: opened.map(openedForContract) };
  }
}
