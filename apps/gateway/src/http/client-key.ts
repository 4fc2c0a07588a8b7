import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) =>
    g.toLowerCase().replace(/^0+(?=.)/, ''),
  );
}

/**
 * The part of an address that one client holds: an IPv4 address, or the /64 network of an
 * IPv6 one (a subscriber gets a whole /64 and can use any address in it).
 */
export function clientNetworkOf(address: string): string {
  const bare = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (isIPv6(bare) && !bare.includes('.')) return `${ipv6Groups(bare).slice(0, 4).join(':')}::/64`;
  return bare;
}

/**
 * Keys a client's network for the services: a keyed hash, so the address itself never leaves
 * the gateway and cannot be recovered from a stored key without the gateway's secret.
 */
export class ClientKeys {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('parley-client-key').digest();
  }

  of(address: string): string {
    return createHmac('sha256', this.key)
      .update(clientNetworkOf(address))
      .digest('base64url')
      .slice(0, 32);
  }
}
