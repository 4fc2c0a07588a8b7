import { Writable } from 'node:stream';
import { bodyOf, parleyClient } from '@parley/client';
import { MailCatcher, eventually } from '@parley/testing';
import {
  type EmbeddedParley,
  startEmbeddedParley,
} from '../../apps/standalone/src/embedded-platform';

const PASSWORD = 'a very private passphrase 42';

/** Logs at debug level while people register, log in, comment as guests and get mail: no personal data in any line. */
describe('log lines', () => {
  const lines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const smtp = new MailCatcher();
  let parley: EmbeddedParley;

  beforeAll(async () => {
    await smtp.start();
    parley = await startEmbeddedParley({
      host: '127.0.0.1',
      port: 0,
      logLevel: 'debug',
      logDestination: capture,
      smtpUrl: smtp.url,
    });
  });

  afterAll(async () => {
    await parley?.close();
    await smtp.stop();
  });

  it('carry ids and correlation ids, never emails, passwords, tokens or client addresses', async () => {
    const guest = parleyClient({
      baseUrl: parley.url,
      headers: { 'x-forwarded-for': '203.0.113.77' },
    });
    const admin = bodyOf(
      await guest.identity.register({
        body: { email: 'boots.private@blog.example', password: PASSWORD, displayName: 'Boots' },
      }),
    );
    await guest.identity.login({
      body: { email: 'nobody.private@blog.example', password: 'wrong password entirely' },
    });
    const token = admin.accessToken;
    const author = guest.as(token);
    const post = bodyOf(await author.posts.create({ body: { title: 'Her', body: 'A film.' } }));
    await author.posts.publish({ params: { id: post.id } });
    const comment = await eventually(async () => {
      const posted = await guest.comments.post({
        params: { id: post.id },
        body: {
          body: 'A guest who wants replies.',
          author: { name: 'Wade', email: 'wade.private@example.com' },
          notify: 'all',
        },
      });
      return posted.ok ? posted.body : undefined;
    });
    expect(comment.status).toBe('pending');
    // The mail to the guest went out, so the delivery path has logged whatever it logs.
    await eventually(() => smtp.to('wade.private@example.com')[0]);
    await eventually(() => smtp.to('boots.private@blog.example')[0]);

    expect(lines.length).toBeGreaterThan(20);
    const requestLines = lines.filter((l) => l.includes('"http request"'));
    expect(requestLines.length).toBeGreaterThan(5);
    for (const line of requestLines) expect(JSON.parse(line)).toHaveProperty('correlationId');
    const leaks = lines.filter(
      (line) =>
        /private@/.test(line) ||
        line.includes(PASSWORD) ||
        line.includes('wrong password') ||
        line.includes(token) ||
        line.includes('203.0.113.77') ||
        /"(ip|remoteAddress|email)"/.test(line),
    );
    expect(leaks).toEqual([]);
  });
});
