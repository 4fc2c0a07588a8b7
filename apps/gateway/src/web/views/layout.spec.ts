import { layout } from './layout';
import { html } from '../html';

const actor = { accountId: 'a1', displayName: 'Amy', roles: ['reader' as const] };
const page = (viewer: Parameters<typeof layout>[0]['viewer']) =>
  layout({
    title: 'Any page',
    blogTitle: 'Parley',
    viewer,
    csrf: 'csrf-token',
    main: html`<p>x</p>`,
  }).value;

describe('the frame of every page', () => {
  it('gives a signed-in reader the bell with its unread count and the way to their subscriptions', () => {
    const markup = page({ actor, emailVerified: true, unread: 3 });
    expect(markup).toMatch(/aria-label="Notifications, 3 unread"/);
    expect(markup).toMatch(/<span class="bell-count" data-unread\s*>\s*3\s*<\/span\s*>/);
    expect(markup).toContain('<a href="/subscriptions/manage">Subscriptions</a>');
    expect(markup).toContain('data-logged-in="true"');
    expect(markup).not.toContain('/account/resend-verification');
  });

  it('tells a reader whose address is not verified that no mail reaches them, with a way to resend the link', () => {
    const markup = page({ actor, emailVerified: false, unread: 0 });
    expect(markup).toMatch(/Parley sends\s+you no email/);
    expect(markup).toContain('action="/account/resend-verification"');
    expect(markup).toMatch(/data-unread hidden/);
  });

  it('shows a visitor neither', () => {
    const markup = page(null);
    expect(markup).not.toContain('/subscriptions/manage');
    expect(markup).not.toContain('data-logged-in');
  });
});
