import type { NotificationReason } from '@parley/contracts';
import type { ShownNotification as NotificationData } from '../inbox/notification.decider';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface ItemLinks {
  /** The comment or post itself. */
  item: string;
  /** Where to answer a comment; null for posts. */
  reply: string | null;
  unsubscribe: string;
}

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const WHY: Record<NotificationReason, string> = {
  reply: 'you get replies to your comments',
  branch: 'you follow this thread',
  post: "you follow this post's comments",
  'post-author': 'you wrote this post',
  blog: "you follow the blog's new posts",
  moderation: 'you moderate comments',
};

function headline(n: NotificationData): string {
  const s = n.subject;
  if (s.kind === 'post') return `New post: ${s.title}`;
  switch (n.reason) {
    case 'reply':
      return `${s.authorName} replied to your comment on "${s.postTitle}"`;
    case 'branch':
      return `${s.authorName} replied in a thread you follow on "${s.postTitle}"`;
    case 'post-author':
      return `${s.authorName} commented on your post "${s.postTitle}"`;
    case 'moderation':
      return `A comment by ${s.authorName} on "${s.postTitle}" awaits moderation`;
    case 'post':
    case 'blog':
      return `${s.authorName} commented on "${s.postTitle}"`;
  }
}

function layout(title: string, body: string, footer: string): string {
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.5;max-width:36em">',
    body,
    `<hr><p style="font-size:small;color:#666">${footer}</p>`,
    '</body></html>',
  ].join('\n');
}

/** One notification as a mail: what happened, the excerpt, the links, and why it was sent. */
export function notificationMail(
  n: NotificationData,
  links: ItemLinks & { manage: string },
): RenderedMail {
  const subject = headline(n);
  const excerpt = n.subject.excerpt;
  const why = `You receive this because ${WHY[n.reason]}.`;
  const text = [
    subject,
    '',
    ...excerpt.split('\n').map((line) => `> ${line}`),
    '',
    `Read it: ${links.item}`,
    ...(links.reply ? [`Reply: ${links.reply}`] : []),
    '',
    '--',
    why,
    `Manage your subscriptions: ${links.manage}`,
    `Unsubscribe: ${links.unsubscribe}`,
    '',
  ].join('\n');
  const html = layout(
    subject,
    [
      `<p><strong>${escapeHtml(subject)}</strong></p>`,
      `<blockquote style="border-left:3px solid #ccc;margin:0;padding-left:1em">${escapeHtml(excerpt)}</blockquote>`,
      `<p><a href="${escapeHtml(links.item)}">Read it</a>`,
      links.reply ? ` · <a href="${escapeHtml(links.reply)}">Reply</a></p>` : '</p>',
    ].join('\n'),
    `${escapeHtml(why)} <a href="${escapeHtml(links.manage)}">Manage your subscriptions</a> · <a href="${escapeHtml(links.unsubscribe)}">Unsubscribe</a>`,
  );
  return { subject, text, html };
}

/** The notifications of one period in one mail. */
export function digestMail(
  items: readonly { notification: NotificationData; links: ItemLinks }[],
  frequency: 'hourly' | 'daily',
  links: { manage: string; unsubscribe: string },
): RenderedMail {
  const subject =
    items.length === 1
      ? `Your ${frequency} digest: 1 new notification`
      : `Your ${frequency} digest: ${items.length} new notifications`;
  const text = [
    subject,
    '',
    ...items.flatMap(({ notification, links: l }) => [
      `* ${headline(notification)}`,
      `  ${notification.subject.excerpt.replace(/\n/g, ' ')}`,
      `  ${l.item}`,
      `  Stop these: ${l.unsubscribe}`,
      '',
    ]),
    '--',
    `Manage your subscriptions: ${links.manage}`,
    `Unsubscribe from this digest: ${links.unsubscribe}`,
    '',
  ].join('\n');
  const html = layout(
    subject,
    [
      `<p><strong>${escapeHtml(subject)}</strong></p>`,
      '<ul>',
      ...items.map(
        ({ notification, links: l }) =>
          `<li><a href="${escapeHtml(l.item)}">${escapeHtml(headline(notification))}</a><br>${escapeHtml(notification.subject.excerpt)}<br><a href="${escapeHtml(l.unsubscribe)}" style="font-size:small">Stop these</a></li>`,
      ),
      '</ul>',
    ].join('\n'),
    `<a href="${escapeHtml(links.manage)}">Manage your subscriptions</a> · <a href="${escapeHtml(links.unsubscribe)}">Unsubscribe from this digest</a>`,
  );
  return { subject, text, html };
}

/** Double opt-in: the only mail an unconfirmed address ever receives. */
export function confirmationMail(confirm: string): RenderedMail {
  const subject = 'Confirm your subscription';
  const text = [
    'Someone (hopefully you) asked to be notified by email of new comments or posts.',
    '',
    `Confirm your address: ${confirm}`,
    '',
    'If it was not you, ignore this mail: nothing else will be sent to this address.',
    '',
  ].join('\n');
  const html = layout(
    subject,
    [
      '<p>Someone (hopefully you) asked to be notified by email of new comments or posts.</p>',
      `<p><a href="${escapeHtml(confirm)}">Confirm your address</a></p>`,
    ].join('\n'),
    'If it was not you, ignore this mail: nothing else will be sent to this address.',
  );
  return { subject, text, html };
}
