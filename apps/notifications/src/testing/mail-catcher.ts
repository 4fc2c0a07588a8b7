import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  to: string[];
  headers: Record<string, string>;
  /** The decoded text/plain part. */
  text: string;
  raw: string;
}

/** RFC 2047 encoded words, as nodemailer writes subjects that need them. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_h, hex: string) =>
                String.fromCharCode(parseInt(hex, 16)),
              ),
            'latin1',
          ).toString('utf8'),
    );
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(
        line.slice(colon + 1).trim(),
      );
  }
  return headers;
}

function decode(body: string, encoding: string | undefined): string {
  if (encoding?.toLowerCase() === 'quoted-printable') {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body, 'base64').toString('utf8');
  return body;
}

/** The text/plain part of a MIME message (nodemailer's multipart/alternative or a single part). */
function textOf(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = parseHeaders(raw.slice(0, split));
  const body = raw.slice(split + 4);
  const boundary = /boundary="?([^";]+)"?/.exec(headers['content-type'] ?? '')?.[1];
  if (!boundary) return { headers, text: decode(body, headers['content-transfer-encoding']) };
  for (const part of body.split(`--${boundary}`)) {
    const at = part.indexOf('\r\n\r\n');
    if (at < 0) continue;
    const partHeaders = parseHeaders(part.slice(0, at).trim());
    if ((partHeaders['content-type'] ?? '').startsWith('text/plain'))
      return {
        headers,
        text: decode(
          part.slice(at + 4).replace(/\r\n$/, ''),
          partHeaders['content-transfer-encoding'],
        ),
      };
  }
  return { headers, text: '' };
}

/** A real SMTP server on 127.0.0.1 for tests: keeps what it accepts, or refuses with a set code. */
export class MailCatcher {
  readonly mails: CaughtMail[] = [];
  /** Answer the next DATA commands with this SMTP code instead of accepting them. */
  refuseWith: number | undefined;
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
            callback(
              Object.assign(new Error('refused by the test'), { responseCode: this.refuseWith }),
            );
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          const mail = { to: session.envelope.rcptTo.map((r) => r.address), raw, ...textOf(raw) };
          this.mails.push(mail);
          callback();
          this.onAccepted?.(mail);
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
