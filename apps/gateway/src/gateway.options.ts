import type { Mailer, MemoryMailbox } from '@parley/mail';
import type { RateLimits } from './http/rate-limits';
import type { ServiceEndpoints } from './proxy/service-clients';

export interface GatewayOptions {
  services: ServiceEndpoints;
  auth: { jwtSecret: string; accessTtlSeconds: number; refreshTtlDays: number };
  publicBaseUrl: string;
  mail: { mailer: Mailer; from: string };
  cors: { origins: string[] };
  /** Proxies believed about the client's address and scheme (TRUST_PROXY); none when not given. */
  trustProxy?: boolean | number | string[];
  rateLimits: RateLimits;
  /** Live streams a client may hold open at once (10 when not given). */
  liveStreams?: { perClient: number };
  /** Uploaded imports. */
  imports?: {
    /** The largest file taken, in bytes (256 MiB when not given). */
    maxBytes?: number;
    /** Where uploads wait for their import (IMPORT_DIR; a folder of the system's temporary one when not given). */
    dir?: string;
    /** How long a process's hold on an import lasts unless renewed (30 s when not given). */
    holdMs?: number;
    /** Whether this process takes over the imports of gone processes (yes when not given). */
    resume?: boolean;
  };
  /** The blog's name in the reader page. */
  blogTitle?: string;
  /**
   * The internal listener (INTERNAL_PORT), where the services open an account's sealed address
   * and name; none when not given (one process opens them in process).
   */
  internal?: { host: string; port: number };
  /** Embedded mode's in-memory mailbox, shown at /dev/mailbox. */
  devMailbox?: MemoryMailbox;
}

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');
