import { Controller } from '@nestjs/common';
import type { EventOf } from '@parley/contracts';
import { OnEvent } from '@parley/messaging';
import { DeliveryService } from './delivery.service';

/** The parley.notifications consumer group that sends: apart from the policy, so mail never holds it up. */
export const DELIVERY = Symbol('notifications-delivery');

@Controller()
export class DeliveryController {
  constructor(private readonly delivery: DeliveryService) {}

  @OnEvent('parley.notification.created.v3', DELIVERY)
  async onCreated(event: EventOf<'parley.notification.created.v3'>): Promise<void> {
    await this.delivery.deliver(event.data.notificationId);
  }

  @OnEvent('parley.subscriber.confirmation-requested.v2', DELIVERY)
  async onConfirmationRequested(
    event: EventOf<'parley.subscriber.confirmation-requested.v2'>,
  ): Promise<void> {
    await this.delivery.mailConfirmation(event);
  }
}
