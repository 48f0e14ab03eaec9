/**
 * The default store: a SQLite file under DATA_DIR through Keyv + @keyv/sqlite. It survives restarts;
 * it is meant for one bot process (atomicity comes from an in-process mutex), use Redis for several.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import type Keyv from 'keyv';
import { KeyMutex } from './key-mutex.js';
import { KeyvValues, openKeyv } from './keyv-values.js';
import type { Store } from './store.js';

export class SqliteStore extends KeyvValues implements Store {
  readonly kind = 'sqlite' as const;
  private readonly mutex = new KeyMutex();
  /** Sets as last read or written: this process is the file's only writer, so memory is the truth. */
  private readonly sets = new Map<string, string[]>();

  private constructor(
    keyv: Keyv,
    private readonly adapter: KeyvSqlite,
  ) {
    super(keyv);
  }

  static async open(path: string, namespace = 'sora'): Promise<SqliteStore> {
    const file = resolve(path);
    mkdirSync(dirname(file), { recursive: true });
    // busyTimeout: a second process (the CLI) may read the file while the bot writes it.
    const adapter = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 5000 });
    // Write-ahead logging with NORMAL sync: a commit costs a fraction of a millisecond instead of
    // several, and committed data still survives the process being killed (only an OS crash or power
    // loss can take the last commits). The ledger writes on every state change, so this matters.
    await adapter.query('PRAGMA journal_mode=WAL');
    await adapter.query('PRAGMA synchronous=NORMAL');
    const keyv = openKeyv(adapter, namespace);
    const store = new SqliteStore(keyv, adapter);
    await store.ping();
    return store;
  }

  claim(key: string, owner: string, ttlMs?: number): Promise<boolean> {
    return this.mutex.run(`claim:${key}`, async () => {
      const holder = (await this.keyv.get(`claim:${key}`)) as string | undefined;
      if (holder !== undefined && holder !== owner) return false;
      await this.keyv.set(`claim:${key}`, owner, ttlMs);
      return true;
    });
  }

  async claimHolder(key: string): Promise<string | undefined> {
    return (await this.keyv.get(`claim:${key}`)) as string | undefined;
  }

  releaseClaim(key: string, owner: string): Promise<void> {
    return this.mutex.run(`claim:${key}`, async () => {
      if ((await this.keyv.get(`claim:${key}`)) === owner) await this.keyv.delete(`claim:${key}`);
    });
  }

  addToSet(key: string, member: string): Promise<void> {
    return this.mutex.run(`set:${key}`, async () => {
      const current = await this.readSet(key);
      if (current.includes(member)) return;
      const next = [...current, member];
      await this.keyv.set(`set:${key}`, next);
      this.sets.set(key, next);
    });
  }

  removeFromSet(key: string, member: string): Promise<void> {
    return this.mutex.run(`set:${key}`, async () => {
      const current = await this.readSet(key);
      if (!current.includes(member)) return;
      const next = current.filter((m) => m !== member);
      if (next.length === 0) await this.keyv.delete(`set:${key}`);
      else await this.keyv.set(`set:${key}`, next);
      this.sets.set(key, next);
    });
  }

  async members(key: string): Promise<string[]> {
    return [...(await this.readSet(key))];
  }

  private async readSet(key: string): Promise<string[]> {
    const cached = this.sets.get(key);
    if (cached) return cached;
    const stored = ((await this.keyv.get(`set:${key}`)) as string[] | undefined) ?? [];
    this.sets.set(key, stored);
    return stored;
  }

  async ping(): Promise<void> {
    await this.adapter.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}
