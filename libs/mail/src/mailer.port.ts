export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
}

export interface SentMail {
  messageId: string;
}

/** A refused or failed send; `permanent` when the server answered 5xx (no retry can help). */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode?: number,
  ) {
    super(message);
    this.name = 'MailDeliveryError';
  }
}

/** Sends mail: over SMTP in a deployment, into an in-memory mailbox in embedded mode. */
export interface Mailer {
  send(message: MailMessage): Promise<SentMail>;
  close(): Promise<void>;
}
