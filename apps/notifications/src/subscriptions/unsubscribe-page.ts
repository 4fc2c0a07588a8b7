import type { SubscriptionView, UnsubscribeResult } from '@parley/contracts';

const KIND: Record<SubscriptionView['kind'], string> = {
  replies: 'replies to your comments',
  branch: 'new replies in a thread',
  post: "a post's new comments",
  blog: 'new posts',
};

/** A plain page for people who open the unsubscribe link in a browser. */
export function unsubscribePage(result: UnsubscribeResult): string {
  const what = result.subscriptions.map((s) => `<li>${KIND[s.kind]}</li>`).join('');
  const body = result.unsubscribed
    ? `<p>You are unsubscribed. You will not be notified of:</p><ul>${what}</ul>`
    : [
        `<p>Stop notifications of:</p><ul>${what}</ul>`,
        // An empty action posts to this very URL, token included.
        '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">',
        '<button type="submit">Unsubscribe</button></form>',
      ].join('\n');
  return [
    '<!doctype html><html><head><meta charset="utf-8"><title>Unsubscribe</title></head>',
    '<body style="font-family:sans-serif;max-width:36em">',
    body,
    '</body></html>',
  ].join('\n');
}
