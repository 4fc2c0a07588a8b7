import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Every address a host name resolves to, as the system resolver answers. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

export interface WebhookTargetRules {
  /** Development: every address may receive webhooks, loopback and private ones too. */
  allowPrivateNetworks: boolean;
  /** Networks (CIDR) allowed although they are not public: a receiver on an intranet. */
  allowedNetworks: readonly string[];
}

/** IPv4-compatible IPv6 (::a.b.c.d, deprecated) is not one of ipaddr.js's named ranges. */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/** Host names that always mean this machine (RFC 6761), whatever a resolver says. */
function isLocalName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.+$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** True for an address anyone on the internet could reach: not private, loopback, link-local… */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv6' && parsed.match(IPV4_COMPATIBLE)) return false;
  return parsed.range() === 'unicast';
}

/**
 * Where webhooks may be posted: public addresses only, unless the operator allows private
 * networks (development) or names some. Checked on the URL at registration and before each
 * delivery, and on every address a host name resolves to when the connection is made.
 */
export class WebhookTargets {
  private readonly allowed: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(
    readonly rules: WebhookTargetRules,
    private readonly resolveHost: ResolveHost = systemResolve,
  ) {
    this.allowed = rules.allowedNetworks.map((cidr) => ipaddr.parseCIDR(cidr));
  }

  /** The kind of address this is when it may not receive webhooks ("loopback"…), or null. */
  refusedKind(address: string): string | null {
    if (this.rules.allowPrivateNetworks) return null;
    if (!ipaddr.isValid(address)) return 'invalid';
    const parsed = ipaddr.process(address);
    if (
      this.allowed.some((network) => parsed.kind() === network[0].kind() && parsed.match(network))
    )
      return null;
    return isPublicAddress(address) ? null : rangeName(parsed);
  }

  /** Why this URL's host may not receive webhooks (a literal address, or localhost), or null. */
  urlRefusal(url: string): string | null {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'it is not a URL';
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      return 'it must be an http or https URL';
    if (this.rules.allowPrivateNetworks) return null;
    // The URL parser already turned decimal, octal and hex IPv4 forms into dotted quads.
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0) {
      const kind = this.refusedKind(host);
      return kind === null ? null : `${host} is not a public address (${kind})`;
    }
    return isLocalName(host) ? `${host} names this machine, not a public host` : null;
  }

  /**
   * A `lookup` for the connection: resolves the host and refuses it when any of its addresses
   * is refused, so the address checked is the address connected to (no rebinding in between).
   */
  readonly lookup = (
    hostname: string,
    options: LookupOneOptions | LookupAllOptions | number,
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ): void => {
    const all = typeof options === 'object' && options.all === true;
    const family = familyOf(typeof options === 'number' ? options : options.family);
    this.checkedAddresses(hostname).then(
      (addresses) => {
        const wanted = addresses.filter((a) => family === 0 || isIP(a) === family);
        const first = wanted[0];
        if (first === undefined) {
          callback(notFound(hostname), all ? [] : '', 0);
          return;
        }
        if (all)
          callback(
            null,
            wanted.map((a) => ({ address: a, family: isIP(a) })),
          );
        else callback(null, first, isIP(first));
      },
      (error: NodeJS.ErrnoException) => callback(error, all ? [] : '', 0),
    );
  };

  private async checkedAddresses(hostname: string): Promise<string[]> {
    if (!this.rules.allowPrivateNetworks && isLocalName(hostname))
      throw new WebhookTargetRefused(`${hostname} names this machine, not a public host`);
    const addresses = await this.resolveHost(hostname);
    for (const address of addresses) {
      const kind = this.refusedKind(address);
      if (kind !== null)
        throw new WebhookTargetRefused(
          `${hostname} resolves to an address that is not public (${kind})`,
        );
    }
    return addresses;
  }
}

/** A webhook host that must not be connected to: permanent, trying again changes nothing. */
export class WebhookTargetRefused extends Error {
  readonly code = 'EWEBHOOKTARGET';

  constructor(readonly reason: string) {
    super(`webhook target refused: ${reason}`);
    this.name = 'WebhookTargetRefused';
  }
}

async function systemResolve(hostname: string): Promise<string[]> {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

function rangeName(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (address.kind() === 'ipv6' && address.match(IPV4_COMPATIBLE)) return 'IPv4-compatible';
  const name = address.range();
  return name === 'private' || name === 'uniqueLocal'
    ? 'private'
    : name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function familyOf(family: number | string | undefined): number {
  if (family === 'IPv4' || family === 4) return 4;
  if (family === 'IPv6' || family === 6) return 6;
  return 0;
}

function notFound(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  error.code = 'ENOTFOUND';
  return error;
}
