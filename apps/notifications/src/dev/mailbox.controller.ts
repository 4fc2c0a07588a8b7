import { Controller, Get, Inject } from '@nestjs/common';
import type { MailboxResponse } from '@parley/contracts';
import { MemoryMailbox } from '@parley/mail';
import { ProblemException } from '@parley/platform';
import { NOTIFICATIONS_OPTIONS, type ResolvedNotificationsOptions } from '../notifications.options';

/** The embedded mailbox (what /dev/mailbox shows); there is none when mail goes over SMTP. */
@Controller('v1/dev/mailbox')
export class MailboxController {
  constructor(
    @Inject(NOTIFICATIONS_OPTIONS) private readonly options: ResolvedNotificationsOptions,
  ) {}

  @Get()
  list(): MailboxResponse {
    const mailer = this.options.mailer;
    if (!(mailer instanceof MemoryMailbox)) {
      throw new ProblemException({
        status: 404,
        code: 'no-mailbox',
        title: 'Mail goes to an SMTP server here; there is no local mailbox',
      });
    }
    return {
      messages: [...mailer.messages()].reverse().map((m) => ({
        messageId: m.messageId,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html ?? null,
        headers: m.headers ?? {},
        receivedAt: m.receivedAt,
      })),
    };
  }
}
