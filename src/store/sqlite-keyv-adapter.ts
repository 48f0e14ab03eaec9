/**
 * A keyv 5 storage adapter over an open better-sqlite3 connection: the SQLite store keeps its TTL'd
 * values (delivery marks, de-duplication keys, caches) in one table of its own file, next to its real
 * tables, on the connection it already manages. Shape and behaviour follow @keyv/sqlite 4, with three
 * differences: the expiry is also kept in its own `expires` column (so `sweepExpired` removes dead rows
 * with one DELETE, and `has` answers false for them), namespaces are matched by an exact key range
 * rather than `LIKE` (which is case-insensitive and treats `_` as a wildcard), and the iterator pages by
 * key rather than by OFFSET (keyv deletes expired rows while it iterates, which made OFFSET skip rows).
 *
 * Expiry stays keyv's business on reads: `get`, `getMany` and `iterator` return rows as stored and keyv
 * checks the `expires` inside the serialized value (and deletes what has run out). Only `has` and
 * `hasMany` look at the column, because keyv hands those over to the adapter entirely.
 */
import { EventEmitter } from 'node:events';
import type { Database } from 'better-sqlite3';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

export interface SqliteKeyvAdapterOptions {
  /** Table name (letters, digits and `_`, starting with a letter or `_`). Default `kv`. */
  table?: string;
  /** Close the connection on `disconnect()`. Default false: the connection belongs to the caller. */
  ownsConnection?: boolean;
  /** Rows read per page by `iterator()`. Default 100. */
  iterationLimit?: number;
}

/** What `opts` holds. keyv reads `dialect` (or `url`) to decide that the adapter can iterate. */
export interface SqliteKeyvAdapterOpts {
  dialect: 'sqlite';
  url: string;
  table: string;
  ownsConnection: boolean;
  iterationLimit: number;
}

interface KvRow {
  key: string;
  value: string;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * keyv's default serializer writes `{"value":…,"expires":N}` with `expires` last; when it is there,
 * the column gets exactly the same instant. Otherwise (a custom serializer) `Date.now() + ttl`, taken
 * after keyv's own, so the column never says "expired" before keyv does.
 */
const TRAILING_EXPIRES = /"expires":(\d+)\}$/;

export class SqliteKeyvAdapter extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: SqliteKeyvAdapterOpts;
  /** Set by keyv (`new Keyv({ store, namespace })`): `clear()` stays inside it (keyv passes it to `iterator()`). */
  namespace?: string | undefined;
  private readonly sql: ReturnType<typeof prepare>;

  constructor(
    private readonly db: Database,
    options: SqliteKeyvAdapterOptions = {},
  ) {
    super();
    const table = options.table ?? 'kv';
    if (!TABLE_NAME.test(table)) throw new Error(`invalid table name for the keyv adapter: ${table}`);
    const iterationLimit = options.iterationLimit ?? 100;
    if (!Number.isInteger(iterationLimit) || iterationLimit < 1)
      throw new Error(`invalid iterationLimit: ${iterationLimit}`);
    this.opts = {
      dialect: 'sqlite',
      url: `sqlite://${db.name}`,
      table,
      ownsConnection: options.ownsConnection ?? false,
      iterationLimit,
    };
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER);
       CREATE INDEX IF NOT EXISTS ${table}_expires ON ${table} (expires) WHERE expires IS NOT NULL;`,
    );
    this.sql = prepare(db, table);
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const row = this.sql.get.get(key) as { value: string } | undefined;
    return row?.value as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const rows = this.sql.getMany.all(JSON.stringify(keys)) as KvRow[];
    const byKey = new Map(rows.map((row) => [row.key, row.value]));
    return keys.map((key) => byKey.get(key) as StoredData<Value | undefined>);
  }

  // biome-ignore lint/suspicious/noExplicitAny: keyv's adapter type takes `any` (the serialized value)
  async set(key: string, value: any, ttl?: number): Promise<boolean> {
    this.write(key, value, ttl);
    return true;
  }

  /**
   * All in one transaction. keyv 5 types this as `Promise<void>` (and then hands whatever it resolves
   * to back from `keyv.setMany`, so that resolves to undefined with this adapter, not to booleans).
   */
  // biome-ignore lint/suspicious/noExplicitAny: as in set
  async setMany(entries: Array<{ key: string; value: any; ttl?: number }>): Promise<void> {
    this.db.transaction(() => {
      for (const entry of entries) this.write(entry.key, entry.value, entry.ttl);
    })();
  }

  async delete(key: string): Promise<boolean> {
    return this.sql.delete.run(key).changes > 0;
  }

  /** True when at least one of the keys was there. */
  async deleteMany(keys: string[]): Promise<boolean> {
    return this.sql.deleteMany.run(JSON.stringify(keys)).changes > 0;
  }

  /** Removes this adapter's namespace (`namespace:*`), or every row when it has none. */
  async clear(): Promise<void> {
    const range = namespaceRange(this.namespace);
    if (range) this.sql.clearRange.run(range.from, range.to);
    else this.sql.clearAll.run();
  }

  /** Present and not expired (keyv leaves this whole question to the adapter when it has `has`). */
  async has(key: string): Promise<boolean> {
    return this.sql.has.get(key, Date.now()) !== undefined;
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    const now = Date.now();
    return keys.map((key) => this.sql.has.get(key, now) !== undefined);
  }

  /**
   * Rows of `namespace` (all rows without one) in key order, as `[prefixedKey, serializedValue]`, a
   * page at a time: keyv may delete expired rows between two pages, and the next page starts after
   * the last key seen, so nothing is skipped.
   */
  async *iterator<Value>(
    namespace?: string,
  ): AsyncGenerator<Array<string | Awaited<Value> | undefined>, void> {
    const range = namespaceRange(namespace);
    const limit = this.opts.iterationLimit;
    let page = (
      range ? this.sql.firstPageInRange.all(range.from, range.to, limit) : this.sql.firstPage.all(limit)
    ) as KvRow[];
    while (page.length > 0) {
      for (const row of page) yield [row.key, row.value as Awaited<Value>];
      if (page.length < limit) return;
      const after = page[page.length - 1]!.key;
      page = (
        range ? this.sql.nextPageInRange.all(after, range.to, limit) : this.sql.nextPage.all(after, limit)
      ) as KvRow[];
    }
  }

  /**
   * Deletes every row whose expiry is before `now` (in every namespace of the table: a row keyv
   * would never return again is garbage whoever wrote it). Returns how many went.
   */
  async sweepExpired(now: number = Date.now()): Promise<number> {
    return this.sql.sweep.run(now).changes;
  }

  /** Closes the connection only when this adapter owns it (`ownsConnection`). */
  async disconnect(): Promise<void> {
    if (this.opts.ownsConnection && this.db.open) this.db.close();
  }

  private write(key: string, value: unknown, ttl: number | undefined): void {
    this.sql.upsert.run(key, value, expiresOf(value, ttl));
  }
}

function prepare(db: Database, table: string) {
  const statement = (sql: string) => db.prepare(sql);
  return {
    get: statement(`SELECT value FROM ${table} WHERE key = ?`),
    getMany: statement(`SELECT key, value FROM ${table} WHERE key IN (SELECT value FROM json_each(?))`),
    upsert: statement(
      `INSERT INTO ${table} (key, value, expires) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
    ),
    delete: statement(`DELETE FROM ${table} WHERE key = ?`),
    deleteMany: statement(`DELETE FROM ${table} WHERE key IN (SELECT value FROM json_each(?))`),
    clearAll: statement(`DELETE FROM ${table}`),
    clearRange: statement(`DELETE FROM ${table} WHERE key >= ? AND key < ?`),
    has: statement(`SELECT 1 FROM ${table} WHERE key = ? AND (expires IS NULL OR expires >= ?)`),
    firstPage: statement(`SELECT key, value FROM ${table} ORDER BY key LIMIT ?`),
    nextPage: statement(`SELECT key, value FROM ${table} WHERE key > ? ORDER BY key LIMIT ?`),
    firstPageInRange: statement(
      `SELECT key, value FROM ${table} WHERE key >= ? AND key < ? ORDER BY key LIMIT ?`,
    ),
    nextPageInRange: statement(
      `SELECT key, value FROM ${table} WHERE key > ? AND key < ? ORDER BY key LIMIT ?`,
    ),
    // keyv treats a value as expired when `Date.now() > expires`: the same boundary here.
    sweep: statement(`DELETE FROM ${table} WHERE expires IS NOT NULL AND expires < ?`),
  };
}

/**
 * The keys `namespace:*` as a half-open range [`ns:`, `ns;`) (';' follows ':'), exact under SQLite's
 * default BINARY collation and served by the primary key's index.
 */
function namespaceRange(namespace: string | undefined): { from: string; to: string } | undefined {
  return namespace ? { from: `${namespace}:`, to: `${namespace};` } : undefined;
}

function expiresOf(value: unknown, ttl: number | undefined): number | null {
  // keyv passes no ttl for "no expiry" (and turns a ttl of 0 into none): the same here.
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl === 0) return null;
  const stored = typeof value === 'string' ? TRAILING_EXPIRES.exec(value) : null;
  return stored ? Number(stored[1]) : Date.now() + ttl;
}
