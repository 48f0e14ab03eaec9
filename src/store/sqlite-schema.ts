/**
 * The SQLite store's tables. Real tables with real indexes, so a write costs the same with 100 jobs
 * or 100,000 in the file, and pages are read by keyset (no whole-set copies in memory).
 */
import type { Database } from 'better-sqlite3';

/** Bumped when the tables change; `PRAGMA user_version` records what a file has. */
export const SCHEMA_VERSION = 1;

const DDL = `
-- A rowid table: job records are a kilobyte or two of JSON, too large for WITHOUT ROWID's B-tree.
CREATE TABLE IF NOT EXISTS records (
  key TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS index_entries (
  idx TEXT NOT NULL,
  member TEXT NOT NULL,
  score REAL NOT NULL,
  PRIMARY KEY (idx, member)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS index_entries_by_score ON index_entries (idx, score, member);
-- Entries per index, kept in the same transactions: counting a 100,000-entry index is one row read.
CREATE TABLE IF NOT EXISTS index_sizes (
  idx TEXT PRIMARY KEY,
  n INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY,
  owner TEXT,
  token INTEGER NOT NULL,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  value REAL NOT NULL,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS writer (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
);
`;

export function createSchema(db: Database): void {
  db.exec(DDL);
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function setSchemaVersion(db: Database, version: number): void {
  db.pragma(`user_version = ${Math.trunc(version)}`);
}
