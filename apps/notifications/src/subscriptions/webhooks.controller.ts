import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  type Actor,
  type RegisterWebhookRequest,
  type WebhookCreated,
  type WebhookList,
  idSchema,
  registerWebhookRequestSchema,
} from '@parley/contracts';
import { CurrentActor, requireActor } from '@parley/platform';
import { unwrap } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';

/** An account's webhook: one URL that receives every notification it has the webhook channel on for. */
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Get()
  async list(@CurrentActor() actor: Actor | null): Promise<WebhookList> {
    return { items: await this.subscriptions.webhooks(requireActor(actor)) };
  }

  /** Registering replaces the previous webhook; the secret is shown this once. Used for the subscriptions unless told not to. */
  @Post()
  async register(
    @CurrentActor() actor: Actor | null,
    @Body({ schema: registerWebhookRequestSchema }) body: RegisterWebhookRequest,
  ): Promise<WebhookCreated> {
    return unwrap(
      await this.subscriptions.registerWebhook(
        requireActor(actor),
        body.url,
        body.useForSubscriptions ?? true,
      ),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: idSchema }) id: string,
  ): Promise<void> {
    unwrap(await this.subscriptions.removeWebhook(requireActor(actor), id));
  }
}
