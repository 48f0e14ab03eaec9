/**
 * Every SQL statement the SQLite store runs, prepared once per connection (the tables are in
 * sqlite-schema.ts). Index entries are kept with their counts in `index_sizes`, so a count never
 * reads the index.
 */
import type { Database, Statement } from 'better-sqlite3';

type Row = Record<string, unknown>;

export function prepareStatements(db: Database) {
  const p = (sql: string): Statement<unknown[], Row> => db.prepare(sql);
  return {
    getRecord: p('SELECT version, value FROM records WHERE key = ?'),
    getRecordSince: p(
      'SELECT version, CASE WHEN version = ? THEN NULL ELSE value END AS value FROM records WHERE key = ?',
    ),
    getVersion: p('SELECT version FROM records WHERE key = ?'),
    putRecord: p(
      `INSERT INTO records (key, version, value) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET version = excluded.version, value = excluded.value`,
    ),
    deleteRecord: p('DELETE FROM records WHERE key = ?'),
    getLease: p('SELECT owner, token, expires_at FROM leases WHERE name = ?'),
    putLease: p(
      `INSERT INTO leases (name, owner, token, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, token = excluded.token,
         expires_at = excluded.expires_at`,
    ),
    renewLease: p('UPDATE leases SET expires_at = ? WHERE name = ?'),
    breakLeases: p('UPDATE leases SET owner = NULL WHERE name >= ? AND name < ? AND owner IS NOT NULL'),
    // The row stays (owner NULL) so the next acquisition still gets a larger token.
    releaseLease: p('UPDATE leases SET owner = NULL WHERE name = ? AND owner = ? AND token = ?'),
    getCounter: p('SELECT value, expires_at FROM counters WHERE name = ?'),
    putCounter: p(
      `INSERT INTO counters (name, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ),
    indexInsert: p('INSERT OR IGNORE INTO index_entries (idx, member, score) VALUES (?, ?, ?)'),
    indexRescore: p('UPDATE index_entries SET score = ? WHERE idx = ? AND member = ?'),
    indexDelete: p('DELETE FROM index_entries WHERE idx = ? AND member = ?'),
    sizeAdd: p(
      `INSERT INTO index_sizes (idx, n) VALUES (?, ?)
       ON CONFLICT (idx) DO UPDATE SET n = n + excluded.n`,
    ),
    sizeOf: p('SELECT n FROM index_sizes WHERE idx = ?'),
    indexScore: p('SELECT score FROM index_entries WHERE idx = ? AND member = ?'),
    // Windows and slots are small: counted directly, since their trims delete many rows at once.
    indexCount: p('SELECT count(*) AS n FROM index_entries WHERE idx = ?'),
    indexCountAbove: p('SELECT count(*) AS n FROM index_entries WHERE idx = ? AND score > ?'),
    indexFirst: p('SELECT score FROM index_entries WHERE idx = ? ORDER BY score, member LIMIT 1'),
    indexMemberAt: p('SELECT member FROM index_entries WHERE idx = ? AND score = ? LIMIT 1'),
    indexTrimBelow: p('DELETE FROM index_entries WHERE idx = ? AND score <= ?'),
    indexAllAsc: p('SELECT member FROM index_entries WHERE idx = ? ORDER BY score, member'),
    rangeAsc: p(
      'SELECT member, score FROM index_entries WHERE idx = ? ORDER BY score, member LIMIT ? OFFSET ?',
    ),
    rangeDesc: p(
      'SELECT member, score FROM index_entries WHERE idx = ? ORDER BY score DESC, member DESC LIMIT ? OFFSET ?',
    ),
    rangeAscAfter: p(
      `SELECT member, score FROM index_entries WHERE idx = ? AND (score > ? OR (score = ? AND member > ?))
       ORDER BY score, member LIMIT ? OFFSET ?`,
    ),
    rangeDescAfter: p(
      `SELECT member, score FROM index_entries WHERE idx = ? AND (score < ? OR (score = ? AND member < ?))
       ORDER BY score DESC, member DESC LIMIT ? OFFSET ?`,
    ),
  };
}
