import { LinkTokens } from './link-tokens';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const tokens = new LinkTokens('a-secret-of-at-least-sixteen');

describe('signed links', () => {
  const unsubscribe = {
    purpose: 'unsubscribe' as const,
    subscriberId: 'subscriber-amy',
    subscriptionId: 'sub-1',
    kind: 'post' as const,
    targetId: 'p1',
  };

  it('grant what they were signed for', () => {
    expect(tokens.verify(tokens.sign(unsubscribe), NOW, ['unsubscribe'])).toEqual({
      ok: true,
      grant: unsubscribe,
    });
  });

  it('cannot be forged, altered, or used for another purpose', () => {
    const token = tokens.sign(unsubscribe);
    const [payload, mac] = token.split('.') as [string, string];
    const other = Buffer.from(
      JSON.stringify({ p: 'u', s: 'subscriber-bo', i: 'sub-1', k: 'post', t: 'p1' }),
    ).toString('base64url');
    expect(tokens.verify(`${other}.${mac}`, NOW, ['unsubscribe'])).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(tokens.verify(`${payload}.${mac.slice(1)}`, NOW, ['unsubscribe']).ok).toBe(false);
    expect(new LinkTokens('another-secret-of-sixteen').verify(token, NOW, ['unsubscribe']).ok).toBe(
      false,
    );
    expect(tokens.verify(token, NOW, ['manage'])).toEqual({ ok: false, reason: 'wrong-purpose' });
    expect(tokens.verify('not-a-token', NOW, ['unsubscribe']).ok).toBe(false);
  });

  it('expire when they carry an expiry', () => {
    const token = tokens.sign({
      purpose: 'confirm',
      subscriberId: 'subscriber-guest-x',
      email: 'gus@example.com',
      expiresAt: NOW.getTime() + 1000,
    });
    expect(tokens.verify(token, NOW, ['confirm']).ok).toBe(true);
    expect(tokens.verify(token, new Date(NOW.getTime() + 2000), ['confirm'])).toEqual({
      ok: false,
      reason: 'expired',
    });
  });
});
