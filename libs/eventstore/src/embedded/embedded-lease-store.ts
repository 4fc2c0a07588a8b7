import type { LeaseStore } from '../lease.port';

/** Leases of one process (embedded mode): the same rules as the Mongo leases. */
export class EmbeddedLeaseStore implements LeaseStore {
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  async tryAcquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.clock().getTime();
    const lease = this.leases.get(name);
    if (lease && lease.owner !== owner && lease.expiresAt >= now) return false;
    this.leases.set(name, { owner, expiresAt: now + ttlMs });
    return true;
  }

  async release(name: string, owner: string): Promise<void> {
    if (this.leases.get(name)?.owner === owner) this.leases.delete(name);
  }
}
