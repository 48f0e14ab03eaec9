/**
 * One writing process per SQLite ledger. Two bot processes on one file would both run the loops and
 * both pay for every render; SQLite's own locking only serialises their statements. The writer row
 * names the process that holds the file (pid, host) and is refreshed by a heartbeat; a second process
 * refuses to start while that process is alive, and takes over from one that died (kill -9 included).
 */
import { hostname } from 'node:os';
import type { Database } from 'better-sqlite3';
import { StoreError } from './store.js';

/** A holder on another host (a shared volume) counts as alive while its heartbeat is this fresh. */
const HEARTBEAT_MS = 10_000;
const STALE_MS = 3 * HEARTBEAT_MS;

interface WriterRow {
  pid: number;
  host: string;
  started_at: number;
  heartbeat_at: number;
}

export class SqliteWriterLock {
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly db: Database) {}

  /** Takes the file for this process or throws a `locked` StoreError naming the holder and the fix. */
  static take(db: Database, file: string): SqliteWriterLock {
    const me = { pid: process.pid, host: hostname() };
    db.transaction(() => {
      const row = db.prepare('SELECT pid, host, started_at, heartbeat_at FROM writer WHERE id = 1').get() as
        | WriterRow
        | undefined;
      if (row && !(row.pid === me.pid && row.host === me.host) && holderAlive(row))
        throw new StoreError(
          'locked',
          `${file} is in use by another sora-bot process (pid ${row.pid} on ${row.host}, since ${new Date(row.started_at).toISOString()}): stop it, give this one its own DATA_DIR, or run several with STORE_URL=redis://...`,
        );
      const now = Date.now();
      db.prepare(
        `INSERT INTO writer (id, pid, host, started_at, heartbeat_at) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host,
           started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
      ).run(me.pid, me.host, now, now);
    }).immediate();
    const lock = new SqliteWriterLock(db);
    lock.timer = setInterval(() => lock.heartbeat(), HEARTBEAT_MS);
    lock.timer.unref();
    return lock;
  }

  private heartbeat(): void {
    try {
      this.db
        .prepare('UPDATE writer SET heartbeat_at = ? WHERE id = 1 AND pid = ? AND host = ?')
        .run(Date.now(), process.pid, hostname());
    } catch {
      // A busy file delays one heartbeat; the next one catches up long before the row goes stale.
    }
  }

  release(): void {
    clearInterval(this.timer);
    this.db.prepare('DELETE FROM writer WHERE id = 1 AND pid = ? AND host = ?').run(process.pid, hostname());
  }
}

function holderAlive(row: WriterRow): boolean {
  // A stale heartbeat means dead wherever it ran (and guards against a reused pid).
  if (Date.now() - row.heartbeat_at >= STALE_MS) return false;
  if (row.host !== hostname()) return true;
  try {
    process.kill(row.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
