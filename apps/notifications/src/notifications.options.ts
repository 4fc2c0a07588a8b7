import type { Mailer } from '@parley/mail';
import type { Clock, PersonalDataOpener, ServiceTransport } from '@parley/platform';
import { type ResolveHost, WebhookTargets } from './delivery/webhook-targets';

/** What the notifications service is given, in a process of its own or embedded. */
export interface NotificationsOptions {
  mailer: Mailer;
  /** From address of every mail, e.g. `Parley <notifications@blog.example>`. */
  from: string;
  /** HMAC key of confirmation, unsubscribe and manage links. */
  tokenSecret: string;
  /** Public URL of the site: links in mail point there (the gateway serves them). */
  publicBaseUrl: string;
  /**
   * Internal base URL of the comments service, which opens the guests' sealed names and
   * addresses for the policy. Without it only values written before sealing can be read.
   */
  commentsUrl?: string;
  /** The comments service in this process (one-process platform), used instead of commentsUrl. */
  comments?: ServiceTransport;
  /**
   * Internal base URL of the gateway's internal listener, which opens an account's sealed
   * address and name for the directory. Without it (nor `accounts`) only plaintext ones read.
   */
  identityUrl?: string;
  /** Opens an account's sealed data in process (one-process platform) instead of at identityUrl. */
  accounts?: PersonalDataOpener;
  /** Defaults to the infrastructure's clock. */
  clock?: Clock;
  delivery?: {
    /** Sends of one channel before a failure counts as permanent. */
    maxAttempts?: number;
    /** First retry delay; each further one doubles. */
    retryBaseDelayMs?: number;
    /** How often the scheduler looks for due retries and digests. */
    schedulerIntervalMs?: number;
    webhookTimeoutMs?: number;
  };
  webhooks?: {
    /** Development: loopback, private and link-local targets are allowed too. */
    allowPrivateNetworks?: boolean;
    /** Networks (CIDR) allowed although they are not public. */
    allowedNetworks?: string[];
    /** Defaults to the system resolver. */
    resolve?: ResolveHost;
  };
}

export interface ResolvedNotificationsOptions {
  mailer: Mailer;
  from: string;
  tokenSecret: string;
  publicBaseUrl: string;
  clock: Clock;
  maxAttempts: number;
  retryBaseDelayMs: number;
  schedulerIntervalMs: number;
  webhookTimeoutMs: number;
  webhookTargets: WebhookTargets;
  /** Domain of Message-IDs: the from address's. */
  mailDomain: string;
}

export const NOTIFICATIONS_OPTIONS = Symbol('NOTIFICATIONS_OPTIONS');

export function mailDomainOf(from: string): string {
  const match = /@([^>\s]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'parley.localhost';
}

export function resolveOptions(
  options: NotificationsOptions,
  fallbackClock: Clock,
): ResolvedNotificationsOptions {
  return {
    mailer: options.mailer,
    from: options.from,
    tokenSecret: options.tokenSecret,
    publicBaseUrl: options.publicBaseUrl.replace(/\/+$/, ''),
    clock: options.clock ?? fallbackClock,
    maxAttempts: options.delivery?.maxAttempts ?? 8,
    retryBaseDelayMs: options.delivery?.retryBaseDelayMs ?? 60_000,
    schedulerIntervalMs: options.delivery?.schedulerIntervalMs ?? 5_000,
    webhookTimeoutMs: options.delivery?.webhookTimeoutMs ?? 5_000,
    webhookTargets: new WebhookTargets(
      {
        allowPrivateNetworks: options.webhooks?.allowPrivateNetworks ?? false,
        allowedNetworks: options.webhooks?.allowedNetworks ?? [],
      },
      options.webhooks?.resolve,
    ),
    mailDomain: mailDomainOf(options.from),
  };
}

/** Delay before attempt n+1 after n failed ones: base, 2×base, 4×base… up to a day. */
export function retryDelayMs(failedAttempts: number, baseMs: number): number {
  return Math.min(86_400_000, baseMs * 2 ** Math.max(0, failedAttempts - 1));
}
