import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import {
  type Actor,
  type ErasureRequest,
  erasureRequestSchema,
  type ServiceErasure,
} from '@parley/contracts';
import { APP_LOGGER, CurrentActor, PERSON_KEYS, personToErase } from '@parley/platform';
import type { PersonKeyStore } from '@parley/privacy';
import type { Logger } from 'pino';
import { personWho, SubscriptionsService } from '../subscriptions/subscriptions.service';

/** Internal: erasing a subscriber, so that nothing is ever sent to them again. */
@Controller('v1')
export class ErasureController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    @Inject(PERSON_KEYS) private readonly keys: PersonKeyStore,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  @Post('personal-data/erasures')
  @HttpCode(200)
  async erase(
    @CurrentActor() actor: Actor | null,
    @Body({ schema: erasureRequestSchema }) body: ErasureRequest,
  ): Promise<ServiceErasure> {
    const person = personToErase(actor, body);
    const subscriptions = await this.subscriptions.erase(personWho(body));
    const keysDestroyed = await this.keys.destroy(person);
    this.logger.info({ person: person.kind, subscriptions, keysDestroyed }, 'subscriber erased');
    return { mode: body.mode, comments: 0, subscriptions, keysDestroyed };
  }
}
