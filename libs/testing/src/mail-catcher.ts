import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  /** Envelope recipients. */
  to: string[];
  /** Header values by lower-case name, unfolded; `subject` decoded. */
  headers: Record<string, string>;
  /** The decoded text/plain part. */
  text: string;
  /** The message as it arrived. */
  raw: string;
}

/** A real SMTP server on 127.0.0.1 for tests: keeps what it accepts, or refuses with a set code. */
export class MailCatcher {
  readonly mails: CaughtMail[] = [];
  /** Answer the next DATA commands with this SMTP code instead of accepting them. */
  refuseWith: number | undefined;
  /** The envelope recipients of each mail refused so far. */
  readonly refused: string[][] = [];
  /** Called right after a mail was accepted (the 250 is on its way). */
  onAccepted: ((mail: CaughtMail) => void) | undefined;
  private server: SMTPServer | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (this.refuseWith !== undefined) {
            this.refused.push(session.envelope.rcptTo.map((r) => r.address));
            callback(
              Object.assign(new Error('refused by the test'), { responseCode: this.refuseWith }),
            );
            return;
          }
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              const headers: Record<string, string> = {};
              for (const { key, line } of parsed.headerLines)
                headers[key] = line
                  .slice(line.indexOf(':') + 1)
                  .replace(/\r?\n[ \t]+/g, ' ')
                  .trim();
              if (parsed.subject !== undefined) headers.subject = parsed.subject;
              const mail: CaughtMail = {
                to: session.envelope.rcptTo.map((r) => r.address),
                headers,
                text: parsed.text ?? '',
                raw: raw.toString('utf8'),
              };
              this.mails.push(mail);
              callback();
              this.onAccepted?.(mail);
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.server.address() as AddressInfo;
    this.url = `smtp://127.0.0.1:${port}`;
    return this;
  }

  /** Mail to an address (any of its recipients). */
  to(address: string): CaughtMail[] {
    return this.mails.filter((m) => m.to.includes(address));
  }

  /** Mail whose links point at a comment. */
  about(commentId: string): CaughtMail[] {
    return this.mails.filter((m) => m.text.includes(`#comment-${commentId}`));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
