import type { LookupAddress } from 'node:dns';
import {
  type ResolveHost,
  WebhookTargetRefused,
  WebhookTargets,
  isPublicAddress,
} from './webhook-targets';

const strict = (resolve?: ResolveHost) =>
  new WebhookTargets({ allowPrivateNetworks: false, allowedNetworks: [] }, resolve);

/** What `lookup` answers for a host name, as a connection asking for every address would. */
function lookupAll(targets: WebhookTargets, hostname: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    targets.lookup(hostname, { all: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve((addresses as LookupAddress[]).map((a) => a.address));
    });
  });
}

describe('webhook targets', () => {
  describe('a URL whose host is a literal address or this machine', () => {
    it.each([
      ['loopback', 'http://127.0.0.1:8080/hook'],
      ['loopback, elsewhere in 127/8', 'http://127.9.9.9/'],
      ['loopback, shortened', 'http://127.1/'],
      ['loopback, decimal', 'http://2130706433/'],
      ['loopback, octal', 'http://0177.0.0.1/'],
      ['loopback, hex', 'http://0x7f.0.0.1/'],
      ['loopback, one hex number', 'http://0x7f000001/'],
      ['IPv6 loopback', 'http://[::1]:3000/'],
      ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/'],
      ['IPv4-mapped IPv6 metadata', 'http://[::ffff:a9fe:a9fe]/'],
      ['IPv4-compatible IPv6 loopback', 'http://[::127.0.0.1]/'],
      ['NAT64 loopback', 'http://[64:ff9b::7f00:1]/'],
      ['unspecified', 'http://0.0.0.0:3000/'],
      ['unspecified, short', 'http://0/'],
      ['IPv6 unspecified', 'http://[::]/'],
      ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data/'],
      ['IPv6 link-local', 'http://[fe80::1]/'],
      ['private 10/8', 'http://10.0.0.5/'],
      ['private 172.16/12', 'https://172.20.1.1/'],
      ['private 192.168/16', 'http://192.168.1.1/'],
      ['IPv6 unique local', 'http://[fd00::1]/'],
      ['carrier-grade NAT', 'http://100.64.0.1/'],
      ['multicast', 'http://224.0.0.1/'],
      ['IPv6 multicast', 'http://[ff02::1]/'],
      ['broadcast', 'http://255.255.255.255/'],
      ['reserved', 'http://240.0.0.1/'],
      ['documentation', 'http://192.0.2.10/'],
      ['localhost', 'http://localhost:3000/hook'],
      ['localhost in capitals, with the root dot', 'http://LOCALHOST./'],
      ['a name under localhost', 'http://api.localhost/'],
    ])('refuses %s (%s)', (_kind, url) => {
      expect(strict().urlRefusal(url)).toEqual(expect.any(String));
    });

    it('says what kind of address it is', () => {
      expect(strict().urlRefusal('http://169.254.169.254/')).toBe(
        '169.254.169.254 is not a public address (link-local)',
      );
      expect(strict().urlRefusal('http://2130706433/')).toBe(
        '127.0.0.1 is not a public address (loopback)',
      );
    });

    it.each([
      'https://hooks.example.com/parley',
      'http://93.184.216.34:8080/',
      'https://[2606:4700:4700::1111]/',
      'https://[::ffff:8.8.8.8]/',
    ])('accepts a public host (%s)', (url) => {
      expect(strict().urlRefusal(url)).toBeNull();
    });

    it('accepts anything when private networks are allowed (development)', () => {
      const development = new WebhookTargets({ allowPrivateNetworks: true, allowedNetworks: [] });
      for (const url of ['http://127.0.0.1:3000/', 'http://localhost/', 'http://[::1]/'])
        expect(development.urlRefusal(url)).toBeNull();
    });

    it('accepts the networks an operator allows, and only those', () => {
      const intranet = new WebhookTargets({
        allowPrivateNetworks: false,
        allowedNetworks: ['10.1.2.0/24', 'fd00:1::/32'],
      });
      expect(intranet.urlRefusal('http://10.1.2.3/')).toBeNull();
      expect(intranet.urlRefusal('http://[fd00:1::5]/')).toBeNull();
      expect(intranet.urlRefusal('http://10.1.3.1/')).toEqual(expect.any(String));
      expect(intranet.urlRefusal('http://127.0.0.1/')).toEqual(expect.any(String));
    });
  });

  describe('the addresses a host name resolves to', () => {
    it('connects to a public host at the addresses it resolves to', async () => {
      const targets = strict(() => Promise.resolve(['93.184.216.34', '2606:2800:220:1::1']));
      await expect(lookupAll(targets, 'hooks.example.com')).resolves.toEqual([
        '93.184.216.34',
        '2606:2800:220:1::1',
      ]);
    });

    it.each([
      ['a loopback address', ['127.0.0.1']],
      ['the IPv6 loopback address', ['::1']],
      ['a link-local address', ['169.254.169.254']],
      ['an IPv4-mapped private address', ['::ffff:10.0.0.1']],
      ['one private address among public ones', ['93.184.216.34', '10.0.0.1']],
    ])('refuses a host that resolves to %s', async (_kind, addresses) => {
      const targets = strict(() => Promise.resolve(addresses));
      await expect(lookupAll(targets, 'rebound.example.com')).rejects.toBeInstanceOf(
        WebhookTargetRefused,
      );
    });

    it('refuses localhost without asking a resolver', async () => {
      const resolve = jest.fn<Promise<string[]>, [string]>(() => Promise.resolve(['8.8.8.8']));
      await expect(lookupAll(strict(resolve), 'localhost')).rejects.toBeInstanceOf(
        WebhookTargetRefused,
      );
      expect(resolve).not.toHaveBeenCalled();
    });

    it('answers one address of the family asked for', async () => {
      const targets = strict(() => Promise.resolve(['2606:2800:220:1::1', '93.184.216.34']));
      const answer = await new Promise<[string, number | undefined]>((resolve, reject) =>
        targets.lookup('hooks.example.com', { family: 4 }, (error, address, family) =>
          error ? reject(error) : resolve([address as string, family]),
        ),
      );
      expect(answer).toEqual(['93.184.216.34', 4]);
    });
  });

  it('counts only public unicast addresses as public', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('::ffff:8.8.8.8')).toBe(true);
    expect(isPublicAddress('127.0.0.1')).toBe(false);
    expect(isPublicAddress('not an address')).toBe(false);
  });
});
