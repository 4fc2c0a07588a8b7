import { type DynamicModule, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Actor } from '@parley/contracts';
import {
  accountDataOpener,
  CommentsPersonalDataClient,
  PERSONAL_DATA_OPENER,
  plaintextOnlyOpener,
  routedOpener,
  type ServiceDefinition,
  ServiceRuntimeModule,
} from '@parley/platform';
import type { FastifyInstance } from 'fastify';
import { DeliveryController, DELIVERY } from './delivery/delivery.controller';
import { DeliveryScheduler } from './delivery/delivery-scheduler';
import { DeliveryService } from './delivery/delivery.service';
import { MailboxController } from './dev/mailbox.controller';
import { directoryProjection } from './directory/directory.projection';
import { InboxController } from './inbox/inbox.controller';
import { inboxProjection } from './inbox/inbox.projection';
import { InboxService } from './inbox/inbox.service';
import { notificationsResealers } from './personal-data/notifications-resealers';
import { NotificationsPersonalDataController } from './personal-data/personal-data.controller';
import {
  NOTIFICATIONS_OPTIONS,
  type NotificationsOptions,
  resolveOptions,
} from './notifications.options';
import { ErasureController } from './personal-data/erasure.controller';
import { POLICY, PolicyController } from './policy/policy.controller';
import { PolicyService } from './policy/policy.service';
import { linksProvider } from './shared/runtime';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';
import { subscriptionsProjection } from './subscriptions/subscriptions.projection';
import { SubscriptionsService } from './subscriptions/subscriptions.service';
import { WebhooksController } from './subscriptions/webhooks.controller';

export type { NotificationsOptions } from './notifications.options';

/** Who notifications is when it asks comments (the gateway's identity) to open a guest's (an account's) data. */
const NOTIFICATIONS_CALLER: Actor = {
  accountId: 'parley-notifications',
  displayName: 'Parley notifications',
  roles: ['admin'],
};

/** Without the comments service, only what was written before sealing reads. */
const PLAINTEXT_ONLY = plaintextOnlyOpener(
  'Notifications has no comments URL to open sealed personal data with',
);

/** Mail clients POST `List-Unsubscribe=One-Click` as a form (RFC 8058): accept it as text. */
@Injectable()
class OneClickForms implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    if (!fastify.hasContentTypeParser('application/x-www-form-urlencoded')) {
      fastify.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: 1024 },
        (_request, body, done) => done(null, body),
      );
    }
  }
}

/** The notifications service: subscriptions, the who-is-notified policy, delivery and the inbox. */
export function notificationsService(options: NotificationsOptions): ServiceDefinition {
  const accounts = accountDataOpener({
    service: 'notifications',
    caller: NOTIFICATIONS_CALLER,
    identityUrl: options.identityUrl,
    accounts: options.accounts,
  });
  const comments = options.comments ?? options.commentsUrl;
  return {
    name: 'notifications',
    produces: ['notifications'],
    resealers: notificationsResealers,
    // The directory keeps each account's address and name opened once, as the account events bring them.
    personalData: () => accounts,
    projections: [directoryProjection, subscriptionsProjection, inboxProjection],
    consumers: [
      { name: 'policy', transportId: POLICY, topics: ['comments', 'posts'] },
      { name: 'delivery', transportId: DELIVERY, topics: ['notifications'] },
    ],
    bodyLimit: 64 * 1024,
    module: (infra): DynamicModule => {
      @Module({
        imports: [ServiceRuntimeModule.forRoot(infra)],
        controllers: [
          SubscriptionsController,
          WebhooksController,
          InboxController,
          NotificationsPersonalDataController,
          MailboxController,
          PolicyController,
          DeliveryController,
          ErasureController,
        ],
        providers: [
          { provide: NOTIFICATIONS_OPTIONS, useValue: resolveOptions(options, infra.clock) },
          linksProvider,
          {
            provide: PERSONAL_DATA_OPENER,
            useValue: routedOpener({
              comments: comments
                ? new CommentsPersonalDataClient(comments, NOTIFICATIONS_CALLER)
                : PLAINTEXT_ONLY,
              accounts,
            }),
          },
          SubscriptionsService,
          PolicyService,
          DeliveryService,
          DeliveryScheduler,
          InboxService,
          OneClickForms,
        ],
      })
      class NotificationsServiceModule {}
      return { module: NotificationsServiceModule };
    },
  };
}
