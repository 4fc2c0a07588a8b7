import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { MailDeliveryError } from './mailer.port';
import { SmtpMailer } from './smtp-mailer';

interface Received {
  to: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1 that accepts, or refuses with the code the test sets. */
async function startServer(): Promise<{
  url: string;
  received: Received[];
  refuseWith: { code?: number };
  /** How many connections clients opened. */
  connections: () => number;
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const refuseWith: { code?: number } = {};
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        if (refuseWith.code) {
          const error = Object.assign(new Error('refused by test'), {
            responseCode: refuseWith.code,
          });
          callback(error);
          return;
        }
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuseWith,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('SmtpMailer against a real SMTP server', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let mailer: SmtpMailer;

  beforeEach(async () => {
    server = await startServer();
    mailer = new SmtpMailer(server.url);
  });

  afterEach(async () => {
    await mailer.close();
    await server.close();
  });

  it('delivers text, HTML, threading and list headers', async () => {
    const sent = await mailer.send({
      from: 'Parley <notifications@parley.localhost>',
      to: 'amy@example.com',
      subject: 'Boots replied to you',
      text: 'Plain text part',
      html: '<p>HTML part</p>',
      headers: {
        'List-Unsubscribe': '<https://blog.example/unsubscribe?token=t>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
      inReplyTo: '<post-1@parley.localhost>',
      references: ['<post-1@parley.localhost>'],
    });
    expect(server.received).toHaveLength(1);
    const mail = server.received[0]!;
    expect(mail.to).toEqual(['amy@example.com']);
    expect(mail.raw).toContain(`Message-ID: ${sent.messageId}`);
    expect(mail.raw).toContain('In-Reply-To: <post-1@parley.localhost>');
    expect(mail.raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(mail.raw).toContain('Plain text part');
    expect(mail.raw).toContain('<p>HTML part</p>');
  });

  it('reports a 5xx refusal as permanent and a 4xx one as worth retrying', async () => {
    server.refuseWith.code = 550;
    const permanent = await mailer
      .send({ from: 'a@b.c', to: 'x@example.com', subject: 's', text: 't' })
      .catch((e: unknown) => e);
    expect(permanent).toBeInstanceOf(MailDeliveryError);
    expect((permanent as MailDeliveryError).permanent).toBe(true);

    server.refuseWith.code = 451;
    const transient = await mailer
      .send({ from: 'a@b.c', to: 'x@example.com', subject: 's', text: 't' })
      .catch((e: unknown) => e);
    expect((transient as MailDeliveryError).permanent).toBe(false);
    expect((transient as MailDeliveryError).responseCode).toBe(451);
    expect(server.received).toHaveLength(0);
  });

  it('sends many mails over a few kept connections, not a connection per mail', async () => {
    const mails = Array.from({ length: 24 }, (_, i) =>
      mailer.send({ from: 'a@b.c', to: `reader${i}@example.com`, subject: 's', text: `t${i}` }),
    );
    await Promise.all(mails);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        mailer.send({ from: 'a@b.c', to: `late${i}@example.com`, subject: 's', text: 't' }),
      ),
    );
    expect(server.received).toHaveLength(32);
    expect(server.connections()).toBeLessThanOrEqual(4);
  });
});
