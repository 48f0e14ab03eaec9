/**
 * First start on a DATA_DIR written by sora-bot before the store had real tables: everything lived in
 * @keyv/sqlite's single `keyv` table (sets as JSON arrays under `set:NAME`, claims under
 * `claim:NAME`, job records under `job:ID`). It is imported once into the new tables, in one
 * transaction, and the old table is dropped; a file without it is left alone.
 *
 * - `job:ID` becomes a versioned record (version 1);
 * - `set:NAME` becomes the index NAME, members scored by their position (the arrays were kept in
 *   insertion order, so newest-first pages stay right; new entries are scored by time and sort after);
 * - `claim:NAME` becomes the lease NAME with its remaining TTL;
 * - anything else stays a TTL'd value under the same key.
 * The ledger then rebuilds its per-state indexes from `jobs:active` at start (JobLedger.reconcile).
 */
import type { Database } from 'better-sqlite3';
import { dropLegacyTable, readLegacyKeyvRows } from './legacy-import.js';
import type { Store } from './store.js';

const RECORD_PREFIXES = ['job:'];
/**
 * Claims whose meaning moved to another name: the Discord link secret is now the adapter's own
 * put-if-absent value (`discord:value:...`), so links signed before the upgrade still verify.
 */
const RENAMED_CLAIMS: Readonly<Record<string, string>> = {
  'discord:download-link-secret': 'discord:value:download-link-secret',
};

export async function importLegacyData(db: Database, store: Store, namespace: string): Promise<number> {
  const rows = readLegacyKeyvRows(db, namespace);
  if (rows.length === 0) {
    dropLegacyTable(db);
    return 0;
  }
  const now = Date.now();
  const values: { key: string; value: unknown; ttlMs: number | undefined }[] = [];
  db.transaction(() => {
    const putRecord = db.prepare('INSERT OR IGNORE INTO records (key, version, value) VALUES (?, 1, ?)');
    const putIndex = db.prepare('INSERT OR IGNORE INTO index_entries (idx, member, score) VALUES (?, ?, ?)');
    const putLease = db.prepare(
      'INSERT OR IGNORE INTO leases (name, owner, token, expires_at) VALUES (?, ?, 1, ?)',
    );
    for (const row of rows) {
      if (RECORD_PREFIXES.some((p) => row.key.startsWith(p))) {
        putRecord.run(row.key, JSON.stringify(row.value));
      } else if (row.key.startsWith('set:') && Array.isArray(row.value)) {
        const name = row.key.slice('set:'.length);
        row.value.forEach((member, position) => {
          putIndex.run(name, String(member), position);
        });
      } else if (row.key.startsWith('claim:') && typeof row.value === 'string') {
        const name = row.key.slice('claim:'.length);
        putLease.run(RENAMED_CLAIMS[name] ?? name, row.value, row.expiresAt);
      } else {
        values.push({
          key: row.key,
          value: row.value,
          ttlMs: row.expiresAt === null ? undefined : Math.max(1, row.expiresAt - now),
        });
      }
    }
    db.exec(
      'INSERT OR REPLACE INTO index_sizes (idx, n) SELECT idx, count(*) FROM index_entries GROUP BY idx',
    );
    dropLegacyTable(db);
  }).immediate();
  // keyv serialises on its own side: these go through it, after the tables are in place. A crash
  // in between loses only TTL'd values (caches and dedupe keys), never a job.
  for (const v of values) await store.set(v.key, v.value, v.ttlMs);
  return rows.length;
}
