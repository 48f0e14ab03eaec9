/**
 * The SQLite store's leases: fencing tokens and TTLs in the `leases` table, each read-then-write in a
 * `BEGIN IMMEDIATE` transaction, and presence from ProcessPresence, which is exact in the one process
 * that writes the file, so a lease of a holder whose store closed is free at once (no grace to keep,
 * `repeatable` or not). Synchronous, as better-sqlite3 is; SqliteStore offers them through the port.
 */
import type { Database } from 'better-sqlite3';
import { ProcessPresence } from './process-presence.js';
import type { prepareStatements } from './sqlite-statements.js';
import type { Lease, LeaseHolder } from './store.js';

interface LeaseRow {
  owner: string | null;
  token: number;
  expires_at: number | null;
}

export class SqliteLeases {
  constructor(
    private readonly db: Database,
    private readonly sql: ReturnType<typeof prepareStatements>,
    private readonly file: string,
  ) {}

  acquire(name: string, owner: string, ttlMs?: number): Lease | undefined {
    return this.db
      .transaction((): Lease | undefined => {
        const now = Date.now();
        const expiresAt = ttlMs === undefined ? null : now + Math.max(1, Math.round(ttlMs));
        const row = this.row(name);
        const live = row?.owner != null && this.binds(row, now);
        if (live && row.owner !== owner) return undefined;
        const token = live ? row.token : (row?.token ?? 0) + 1;
        this.sql.putLease.run(name, owner, token, expiresAt);
        return { name, owner, token };
      })
      .immediate();
  }

  renew(lease: Lease, ttlMs: number): boolean {
    return this.db
      .transaction(() => {
        if (!this.held(lease.name, lease.token, lease.owner)) return false;
        this.sql.renewLease.run(Date.now() + Math.max(1, Math.round(ttlMs)), lease.name);
        return true;
      })
      .immediate();
  }

  release(lease: Lease): void {
    this.sql.releaseLease.run(lease.name, lease.owner, lease.token);
  }

  /** The token check, and the holder not gone: there is no grace to start keeping. */
  beginSideEffect(lease: Lease): boolean {
    return (
      this.held(lease.name, lease.token, lease.owner) &&
      ProcessPresence.status(this.file, lease.owner) !== 'gone'
    );
  }

  holder(name: string): LeaseHolder | undefined {
    const row = this.row(name);
    if (!row?.owner || !this.binds(row, Date.now())) return undefined;
    return {
      owner: row.owner,
      token: row.token,
      expiresAt: row.expires_at,
      watched: ProcessPresence.status(this.file, row.owner) === 'alive',
      graceMs: 0,
      gone: false,
      graceEndsAt: null,
    };
  }

  breakAll(prefix: string): number {
    return this.sql.breakLeases.run(prefix, `${prefix}\uffff`).changes;
  }

  /** Held with this token (and by `owner`, when given) and within its TTL: what a fenced write checks. */
  held(name: string, token: number, owner?: string): boolean {
    const row = this.row(name);
    return Boolean(
      row?.owner &&
        row.token === token &&
        (owner === undefined || row.owner === owner) &&
        (row.expires_at === null || row.expires_at > Date.now()),
    );
  }

  /** A lease row still binds: within its TTL, and its holder not known to be gone. */
  private binds(row: LeaseRow, now: number): boolean {
    if (!row.owner || (row.expires_at !== null && row.expires_at <= now)) return false;
    return ProcessPresence.status(this.file, row.owner) !== 'gone';
  }

  private row(name: string): LeaseRow | undefined {
    return this.sql.getLease.get(name) as LeaseRow | undefined;
  }
}
