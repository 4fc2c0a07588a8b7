import { randomUUID } from 'node:crypto';
import type { MailMessage, Mailer, SentMail } from './mailer.port';

export interface ReceivedMail extends MailMessage {
  messageId: string;
  receivedAt: string;
}

/** Keeps sent mail in memory (embedded mode's /dev/mailbox), newest last, bounded. */
export class MemoryMailbox implements Mailer {
  private readonly received: ReceivedMail[] = [];

  constructor(
    private readonly capacity = 500,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async send(message: MailMessage): Promise<SentMail> {
    const messageId = message.messageId ?? `<${randomUUID()}@parley.localhost>`;
    this.received.push({ ...message, messageId, receivedAt: this.clock().toISOString() });
    if (this.received.length > this.capacity)
      this.received.splice(0, this.received.length - this.capacity);
    return { messageId };
  }

  messages(): readonly ReceivedMail[] {
    return this.received;
  }

  async close(): Promise<void> {
    // Nothing to release.
  }
}
