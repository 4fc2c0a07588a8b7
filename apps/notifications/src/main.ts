import 'reflect-metadata';
import { SmtpMailer } from '@parley/mail';
import { runServiceProcess } from '@parley/platform';
import { mailDomainOf } from './notifications.options';
import { notificationsService } from './notifications.service';

void runServiceProcess('notifications', (config) =>
  notificationsService({
    mailer: new SmtpMailer(config.smtp.url, mailDomainOf(config.smtp.from)),
    from: config.smtp.from,
    tokenSecret: config.tokens.secret,
    publicBaseUrl: config.publicBaseUrl,
    commentsUrl: config.commentsUrl,
    identityUrl: config.identityUrl,
    clock: () => new Date(),
    delivery: { retryBaseDelayMs: config.delivery.retryBaseDelayMs },
    webhooks: config.webhooks,
  }),
);
