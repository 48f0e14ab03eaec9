/**
 * Reads what the store wrote before it had real tables: Keyv + @keyv/sqlite 4 kept everything in one
 * table, `keyv(key VARCHAR(255) PRIMARY KEY, value TEXT)`, with keys prefixed by Keyv's namespace
 * (`sora:job:abc`, `sora:set:jobs:active`, `sora:claim:video:…`) and values serialized by
 * @keyv/serialize 1.1.1 as `{"value":…}` or `{"value":…,"expires":<ms>}`. The layout, and a file
 * written by that code, are in test/fixtures/legacy-data-dir (make-fixture.md).
 */
import type { Database } from 'better-sqlite3';

/** @keyv/sqlite's default table name (the old store never changed it). */
export const LEGACY_TABLE = 'keyv';

export interface LegacyKeyvRow {
  /** The key without the `namespace:` prefix, e.g. `job:abc`, `set:jobs:active`, `claim:video:v1`. */
  key: string;
  value: unknown;
  /** When Keyv would have stopped returning it (ms since the epoch), or null for no TTL. */
  expiresAt: number | null;
}

export interface ReadLegacyOptions {
  /** Rows that expired before this instant are left out. Default: now. */
  now?: number;
  /** Told about a row that cannot be decoded (it is left out). */
  onInvalid?: (key: string, reason: string) => void;
}

/**
 * The live rows of `namespace` in the legacy table, in key order, decoded; [] when the file has no
 * such table. Rows of other namespaces, rows whose value is undefined (Keyv's `{}`) and expired rows
 * (Keyv's rule: expired when `now > expires`) are left out.
 */
export function readLegacyKeyvRows(
  db: Database,
  namespace = 'sora',
  options: ReadLegacyOptions = {},
): LegacyKeyvRow[] {
  if (!hasLegacyTable(db)) return [];
  const now = options.now ?? Date.now();
  const prefix = `${namespace}:`;
  // The exact key range [`ns:`, `ns;`) (';' follows ':' under the BINARY collation); LIKE would be
  // case-insensitive and read `_` as a wildcard.
  const rows = db
    .prepare(`SELECT key, value FROM ${LEGACY_TABLE} WHERE key >= ? AND key < ? ORDER BY key`)
    .all(prefix, `${namespace};`) as { key: string; value: unknown }[];
  const live: LegacyKeyvRow[] = [];
  for (const row of rows) {
    const key = row.key.slice(prefix.length);
    const decoded = decodeKeyvValue(row.value);
    if ('invalid' in decoded) {
      options.onInvalid?.(key, decoded.invalid);
      continue;
    }
    if (decoded.value === undefined) continue;
    if (decoded.expiresAt !== null && now > decoded.expiresAt) continue;
    live.push({ key, value: decoded.value, expiresAt: decoded.expiresAt });
  }
  return live;
}

/** Drops the legacy table (a no-op when there is none). Safe inside a transaction. */
export function dropLegacyTable(db: Database): void {
  db.exec(`DROP TABLE IF EXISTS ${LEGACY_TABLE}`);
}

export function hasLegacyTable(db: Database): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(LEGACY_TABLE) !==
    undefined
  );
}

/**
 * @keyv/serialize 1.1.1's `defaultDeserialize`, frozen here because the legacy file was written by
 * that version: JSON, where a string value starting with `:base64:` is a Buffer and any other string
 * starting with `:` lost one leading `:` (the serializer added one to every such string).
 */
function decodeKeyvValue(raw: unknown): { value: unknown; expiresAt: number | null } | { invalid: string } {
  if (typeof raw !== 'string') return { invalid: `value is not text (${typeof raw})` };
  let data: unknown;
  try {
    data = JSON.parse(raw, (_key, value: unknown) => {
      if (typeof value !== 'string') return value;
      if (value.startsWith(':base64:')) return Buffer.from(value.slice(':base64:'.length), 'base64');
      return value.startsWith(':') ? value.slice(1) : value;
    });
  } catch (error) {
    return { invalid: `not JSON: ${(error as Error).message}` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return { invalid: 'not a {value, expires} object' };
  const { value, expires } = data as { value?: unknown; expires?: unknown };
  return { value, expiresAt: typeof expires === 'number' ? expires : null };
}
