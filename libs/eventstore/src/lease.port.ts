/** Time-limited exclusive roles: one relay publishes, one scheduler fires. */
export interface LeaseStore {
  /** Takes or renews the lease for `ttlMs` if it is free, expired, or already ours. */
  tryAcquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}
