/**
 * The persistence port: JSON values by key with optional TTLs, atomic set-if-absent (idempotency keys,
 * delivery leases) and sets of strings (the ledger's indexes). Two implementations share one contract
 * test: a SQLite file (the default, one bot process per file) and Redis (several replicas).
 */
export interface Store {
  readonly kind: 'sqlite' | 'redis';
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Atomic claim: true when `key` was free (absent or expired) and now holds `owner`, or already held
   * `owner` (the TTL is then renewed). Used for idempotency keys and delivery leases.
   */
  claim(key: string, owner: string, ttlMs?: number): Promise<boolean>;
  /** Who holds a claim, if anyone. */
  claimHolder(key: string): Promise<string | undefined>;
  releaseClaim(key: string, owner: string): Promise<void>;
  addToSet(key: string, member: string): Promise<void>;
  removeFromSet(key: string, member: string): Promise<void>;
  members(key: string): Promise<string[]>;
  /** A cheap round trip, for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
