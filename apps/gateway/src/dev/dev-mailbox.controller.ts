import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { MemoryMailbox, ReceivedMail } from '@parley/mail';
import { escapeHtml } from '../identity/identity.service';

export const DEV_MAILBOX = Symbol('DEV_MAILBOX');

function linkify(text: string): string {
  return escapeHtml(text).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
}

/** Embedded mode keeps mail in memory; this page shows it, newest first. */
@ApiExcludeController()
@Controller('dev')
export class DevMailboxController {
  constructor(@Inject(DEV_MAILBOX) private readonly mailbox: MemoryMailbox) {}

  @Get('mailbox.json')
  messages(): { items: ReceivedMail[] } {
    return { items: [...this.mailbox.messages()].reverse() };
  }

  @Get('mailbox')
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    const items = [...this.mailbox.messages()].reverse();
    const list = items
      .map(
        (m) => `<article>
  <h2>${escapeHtml(m.subject)}</h2>
  <p class="meta">To ${escapeHtml(m.to)} · from ${escapeHtml(m.from)} · ${escapeHtml(m.receivedAt)}</p>
  ${m.headers?.['List-Unsubscribe'] ? `<p class="meta">List-Unsubscribe: ${linkify(m.headers['List-Unsubscribe'])}</p>` : ''}
  <pre>${linkify(m.text)}</pre>
</article>`,
      )
      .join('\n');
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mailbox · Parley</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}article{border-top:1px solid #ccc;padding:1rem 0}.meta{color:#555;font-size:.9rem;margin:0}pre{white-space:pre-wrap;font:inherit}</style>
</head><body>
<h1>Mailbox</h1>
<p>Embedded mode keeps the mail it sends here (${items.length} message${items.length === 1 ? '' : 's'}). Set SMTP_URL to send real mail.</p>
${list || '<p>No mail yet.</p>'}
</body></html>`;
  }
}
