import { ClientKeys, clientNetworkOf } from './client-key';

describe('client keys', () => {
  it('keys an IPv4 address as itself and an IPv6 address by its /64', () => {
    expect(clientNetworkOf('203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetworkOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetworkOf('2001:db8:0:12::1')).toBe('2001:db8:0:12::/64');
    expect(clientNetworkOf('2001:0DB8:0000:0012:ffff:1:2:3')).toBe('2001:db8:0:12::/64');
    expect(clientNetworkOf('::1')).toBe('0:0:0:0::/64');
    expect(clientNetworkOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('gives one opaque key per client network, different under another secret', () => {
    const keys = new ClientKeys('a-gateway-secret-of-at-least-32-characters');
    const key = keys.of('2001:db8:0:12::1');
    expect(keys.of('2001:db8:0:12:abcd::9')).toBe(key);
    expect(keys.of('2001:db8:0:13::1')).not.toBe(key);
    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(key).not.toContain('2001');
    expect(
      new ClientKeys('another-gateway-secret-of-32-characters!').of('2001:db8:0:12::1'),
    ).not.toBe(key);
  });
});
