/**
 * The default store: one SQLite file under DATA_DIR through better-sqlite3. Every operation that
 * reads and then writes runs in a `BEGIN IMMEDIATE` transaction, so it is atomic across connections
 * too (the contract suite runs two on one file); the bot itself takes the file with a writer lock
 * (`exclusive`), because two bot processes would both run the loops. TTL'd values go through keyv on
 * the same connection (SqliteKeyvAdapter).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { KeyvValues, openKeyv } from './keyv-values.js';
import { ProcessPresence } from './process-presence.js';
import { SqliteKeyvAdapter } from './sqlite-keyv-adapter.js';
import { SqliteLeases } from './sqlite-leases.js';
import { importLegacyData } from './sqlite-legacy-migration.js';
import { createSchema } from './sqlite-schema.js';
import { prepareStatements } from './sqlite-statements.js';
import { SqliteWriterLock } from './sqlite-writer-lock.js';
import {
  type EntryPost,
  type IndexEntry,
  type IndexPage,
  type Lease,
  type LeaseHolder,
  type PostResult,
  type RecordWrite,
  type Store,
  StoreError,
  type VersionedRecord,
  type WindowResult,
  type WriteResult,
} from './store.js';
import { LocalSignals } from './store-signals.js';

export interface SqliteStoreOptions {
  namespace?: string;
  /** The bot's own process: take the writer lock (a second bot process on the file fails to start). */
  exclusive?: boolean;
}

export class SqliteStore extends KeyvValues implements Store {
  readonly kind = 'sqlite' as const;
  readonly signals: LocalSignals;
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly presence: ProcessPresence;
  private readonly leases: SqliteLeases;
  private lock: SqliteWriterLock | undefined;
  private closed = false;

  private constructor(
    private readonly db: Database,
    keyvAdapter: SqliteKeyvAdapter,
    namespace: string,
    file: string,
  ) {
    super(openKeyv(keyvAdapter, namespace));
    this.sql = prepareStatements(db);
    this.presence = new ProcessPresence(file);
    this.leases = new SqliteLeases(db, this.sql, file);
    this.signals = new LocalSignals(`${file}#${namespace}`);
  }

  static async open(path: string, options: SqliteStoreOptions | string = {}): Promise<SqliteStore> {
    const opts = typeof options === 'string' ? { namespace: options } : options;
    const file = resolve(path);
    mkdirSync(dirname(file), { recursive: true });
    let db: Database;
    try {
      db = new BetterSqlite3(file, { timeout: 5_000 });
      // Write-ahead logging with NORMAL sync: a commit costs a fraction of a millisecond, readers
      // (the CLI) never block the writer, and committed data survives the process being killed.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      createSchema(db);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY')
        throw new StoreError('locked', `${file} is locked by another process; stop it and start again`, {
          cause: error,
        });
      throw error;
    }
    const store = new SqliteStore(
      db,
      new SqliteKeyvAdapter(db, { table: 'kv' }),
      opts.namespace ?? 'sora',
      file,
    );
    try {
      if (opts.exclusive) store.lock = SqliteWriterLock.take(db, file);
      await importLegacyData(db, store, opts.namespace ?? 'sora');
    } catch (error) {
      store.lock?.release();
      db.close();
      throw error;
    }
    return store;
  }

  /** The underlying connection, for the migration and tests that inspect the file. */
  get connection(): Database {
    return this.db;
  }

  // Versioned records

  async readRecord<T>(key: string): Promise<VersionedRecord<T> | undefined> {
    const row = this.sql.getRecord.get(key) as { version: number; value: string } | undefined;
    return row ? { version: row.version, value: JSON.parse(row.value) as T } : undefined;
  }

  async readRecordsSince<T>(
    keys: readonly string[],
    held: readonly (number | undefined)[],
  ): Promise<(VersionedRecord<T> | number | undefined)[]> {
    const readOne = (key: string, version: number | undefined): VersionedRecord<T> | number | undefined => {
      const row = this.sql.getRecordSince.get(version ?? -1, key) as
        | { version: number; value: string | null }
        | undefined;
      if (!row) return undefined;
      return row.value === null ? row.version : { version: row.version, value: JSON.parse(row.value) as T };
    };
    // One statement is consistent on its own; several are read in one transaction (one snapshot).
    if (keys.length === 1) return [readOne(keys[0]!, held[0])];
    return this.db.transaction(() => keys.map((key, i) => readOne(key, held[i])))();
  }

  async writeRecord(write: RecordWrite): Promise<WriteResult> {
    const json = JSON.stringify(write.value);
    return this.db
      .transaction((): WriteResult => {
        if (write.fence && !this.leases.held(write.fence.lease, write.fence.token))
          return { ok: false, reason: 'fenced' };
        const row = this.sql.getVersion.get(write.key) as { version: number } | undefined;
        if ((row?.version ?? 0) !== write.expectedVersion) return { ok: false, reason: 'conflict' };
        const version = write.expectedVersion + 1;
        this.sql.putRecord.run(write.key, version, json);
        for (const e of write.indexAdd ?? []) this.addEntry(e.index, e.member, e.score);
        for (const e of write.indexRemove ?? []) this.removeEntry(e.index, e.member);
        return { ok: true, version };
      })
      .immediate();
  }

  async deleteRecord(key: string, indexRemove: readonly Omit<IndexEntry, 'score'>[] = []): Promise<void> {
    this.db
      .transaction(() => {
        this.sql.deleteRecord.run(key);
        for (const e of indexRemove) this.removeEntry(e.index, e.member);
      })
      .immediate();
  }

  // Leases (SqliteLeases)

  async acquireLease(name: string, owner: string, ttlMs?: number): Promise<Lease | undefined> {
    return this.leases.acquire(name, owner, ttlMs);
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    return this.leases.renew(lease, ttlMs);
  }

  async releaseLease(lease: Lease): Promise<void> {
    this.leases.release(lease);
  }

  async beginSideEffect(lease: Lease): Promise<boolean> {
    return this.leases.beginSideEffect(lease);
  }

  async endSideEffect(lease: Lease): Promise<boolean> {
    // SQLite keeps no grace: only whether the lease is still held is left to say.
    return this.leases.held(lease.name, lease.token, lease.owner);
  }

  async leaseHolder(name: string): Promise<LeaseHolder | undefined> {
    return this.leases.holder(name);
  }

  async declarePresence(owner: string): Promise<void> {
    this.presence.declare(owner);
  }

  async breakLeases(prefix: string): Promise<number> {
    return this.leases.breakAll(prefix);
  }

  /** Adds or re-scores an entry, keeping the index's size (call inside a transaction or alone). */
  private addEntry(index: string, member: string, score: number): void {
    if (this.sql.indexInsert.run(index, member, score).changes === 1) this.sql.sizeAdd.run(index, 1);
    else this.sql.indexRescore.run(score, index, member);
  }

  private removeEntry(index: string, member: string): void {
    if (this.sql.indexDelete.run(index, member).changes === 1) this.sql.sizeAdd.run(index, -1);
  }

  // Counters

  async takeFromWindow(name: string, limit: number, windowMs: number, now: number): Promise<WindowResult> {
    const idx = `window:${name}`;
    return this.db
      .transaction((): WindowResult => {
        this.sql.indexTrimBelow.run(idx, now - windowMs);
        const count = (this.sql.indexCount.get(idx) as { n: number }).n;
        if (count >= limit) {
          const oldest = this.sql.indexFirst.get(idx) as { score: number };
          return { ok: false, retryInMs: Math.max(1, oldest.score + windowMs - now + 1) };
        }
        // Window events are trimmed in bulk and counted directly: no size bookkeeping for them.
        this.sql.indexInsert.run(idx, `${now}:${randomUUID()}`, now);
        return { ok: true };
      })
      .immediate();
  }

  async returnToWindow(name: string, at: number): Promise<void> {
    const row = this.sql.indexMemberAt.get(`window:${name}`, at) as { member: string } | undefined;
    if (row) this.sql.indexDelete.run(`window:${name}`, row.member);
  }

  async windowCount(name: string, windowMs: number, now: number): Promise<number> {
    return (this.sql.indexCountAbove.get(`window:${name}`, now - windowMs) as { n: number }).n;
  }

  async acquireSlot(name: string, member: string, limit: number): Promise<boolean> {
    const idx = `slots:${name}`;
    return this.db
      .transaction(() => {
        if (this.sql.indexScore.get(idx, member)) return true;
        if ((this.sql.indexCount.get(idx) as { n: number }).n >= limit) return false;
        this.addEntry(idx, member, Date.now());
        return true;
      })
      .immediate();
  }

  async releaseSlot(name: string, member: string): Promise<void> {
    this.db.transaction(() => this.removeEntry(`slots:${name}`, member)).immediate();
  }

  async slotHolders(name: string): Promise<string[]> {
    return (this.sql.indexAllAsc.all(`slots:${name}`) as { member: string }[]).map((r) => r.member);
  }

  async addToCounter(
    name: string,
    delta: number,
    options: { max?: number; ttlMs?: number } = {},
  ): Promise<{ ok: boolean; value: number }> {
    return this.db
      .transaction(() => {
        const now = Date.now();
        const row = this.sql.getCounter.get(name) as { value: number; expires_at: number | null } | undefined;
        const live = row && (row.expires_at === null || row.expires_at > now);
        const current = live ? row.value : 0;
        const next = current + delta;
        if (options.max !== undefined && delta > 0 && next > options.max)
          return { ok: false, value: current };
        const expiresAt = live ? row.expires_at : options.ttlMs ? now + options.ttlMs : null;
        this.sql.putCounter.run(name, next, expiresAt);
        return { ok: true, value: next };
      })
      .immediate();
  }

  async counterValue(name: string): Promise<number> {
    return this.liveCounter(name, Date.now()).value;
  }

  async counterValues(names: readonly string[]): Promise<number[]> {
    const now = Date.now();
    return names.map((name) => this.liveCounter(name, now).value);
  }

  async postEntry(post: EntryPost): Promise<PostResult> {
    return this.db
      .transaction((): PostResult => {
        if (this.sql.indexScore.get(post.once.index, post.once.member))
          return { ok: false, reason: 'duplicate' };
        const now = Date.now();
        const current = post.counters.map((c) => this.liveCounter(c.name, now));
        for (const [i, c] of post.counters.entries()) {
          const value = current[i]?.value ?? 0;
          if (c.max !== undefined && c.delta > 0 && value + c.delta > c.max)
            return { ok: false, reason: 'over', counter: i, value };
        }
        const values = post.counters.map((c, i) => {
          const before = current[i] ?? { value: 0, expiresAt: null, live: false };
          const next = before.value + c.delta;
          const expiresAt = before.live ? before.expiresAt : c.ttlMs ? now + c.ttlMs : null;
          this.sql.putCounter.run(c.name, next, expiresAt);
          return next;
        });
        this.addEntry(post.once.index, post.once.member, post.once.score);
        for (const e of post.indexAdd ?? []) this.addEntry(e.index, e.member, e.score);
        for (const e of post.indexRemove ?? []) this.removeEntry(e.index, e.member);
        return { ok: true, values };
      })
      .immediate();
  }

  private liveCounter(name: string, now: number): { value: number; expiresAt: number | null; live: boolean } {
    const row = this.sql.getCounter.get(name) as { value: number; expires_at: number | null } | undefined;
    const live = row !== undefined && (row.expires_at === null || row.expires_at > now);
    return live ? { value: row.value, expiresAt: row.expires_at, live } : { value: 0, expiresAt: null, live };
  }

  // Sorted indexes

  async indexAdd(index: string, member: string, score: number): Promise<void> {
    this.db.transaction(() => this.addEntry(index, member, score)).immediate();
  }

  async indexRemove(index: string, member: string): Promise<void> {
    this.db.transaction(() => this.removeEntry(index, member)).immediate();
  }

  async indexRange(index: string, page: IndexPage): Promise<IndexEntry[]> {
    const limit = Math.max(0, Math.trunc(page.limit));
    const offset = Math.max(0, Math.trunc(page.offset ?? 0));
    const after = page.after;
    const rows = (
      page.order === 'asc'
        ? after
          ? this.sql.rangeAscAfter.all(index, after.score, after.score, after.member, limit, offset)
          : this.sql.rangeAsc.all(index, limit, offset)
        : after
          ? this.sql.rangeDescAfter.all(index, after.score, after.score, after.member, limit, offset)
          : this.sql.rangeDesc.all(index, limit, offset)
    ) as { member: string; score: number }[];
    return rows.map((r) => ({ index, member: r.member, score: r.score }));
  }

  async indexCount(index: string): Promise<number> {
    return (this.sql.sizeOf.get(index) as { n: number } | undefined)?.n ?? 0;
  }

  async indexScore(index: string, member: string): Promise<number | undefined> {
    return (this.sql.indexScore.get(index, member) as { score: number } | undefined)?.score;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.presence.end();
    await this.signals.close();
    this.lock?.release();
    this.db.close();
  }
}
