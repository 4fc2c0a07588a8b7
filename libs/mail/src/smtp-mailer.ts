import { randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { type MailMessage, MailDeliveryError, type Mailer, type SentMail } from './mailer.port';

interface SmtpError {
  responseCode?: number;
  code?: string;
  message?: string;
}

/** Mail over SMTP with nodemailer, on pooled connections. */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly domain = 'parley.localhost',
  ) {
    // The options beside the URL: given as the first argument's second part they would be the
    // messages' defaults, and every mail would open a connection of its own.
    this.transport = nodemailer.createTransport({ url, pool: true, maxConnections: 4 });
  }

  async send(message: MailMessage): Promise<SentMail> {
    const messageId = message.messageId ?? `<${randomUUID()}@${this.domain}>`;
    try {
      await this.transport.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
        headers: message.headers ?? {},
        messageId,
        ...(message.inReplyTo ? { inReplyTo: message.inReplyTo } : {}),
        ...(message.references ? { references: message.references } : {}),
      });
      return { messageId };
    } catch (error) {
      const e = error as SmtpError;
      const code = e.responseCode;
      throw new MailDeliveryError(
        e.message ?? 'SMTP send failed',
        code !== undefined && code >= 500,
        code,
      );
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
