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
  private readonly setWrites = new Map<string, { running?: Promise<void>; queued?: Promise<void> }>();

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

  async addToSet(key: string, member: string): Promise<void> {
    await this.readSet(key);
    // Read again after the await: other changes may have replaced the array meanwhile.
    const current = this.sets.get(key) ?? [];
    if (!current.includes(member)) this.sets.set(key, [...current, member]);
    return this.persistSet(key);
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    await this.readSet(key);
    const current = this.sets.get(key) ?? [];
    if (current.includes(member))
      this.sets.set(
        key,
        current.filter((m) => m !== member),
      );
    return this.persistSet(key);
  }

  async members(key: string): Promise<string[]> {
    return [...(await this.readSet(key))];
  }

  private async readSet(key: string): Promise<string[]> {
    const cached = this.sets.get(key);
    if (cached) return cached;
    const stored = ((await this.keyv.get(`set:${key}`)) as string[] | undefined) ?? [];
    // Another caller may have loaded (and changed) it while we were reading.
    const loaded = this.sets.get(key);
    if (loaded) return loaded;
    this.sets.set(key, stored);
    return stored;
  }

  /**
   * Group commit: resolves once a write containing the set as it is now has reached the file. While
   * one write runs, every change made meanwhile is folded into a single next write, so a burst of
   * changes to one hot set (the active jobs) costs a few writes, not one each, and is still durable
   * when the caller goes on.
   */
  private persistSet(key: string): Promise<void> {
    let writes = this.setWrites.get(key);
    if (!writes) {
      writes = {};
      this.setWrites.set(key, writes);
    }
    const state = writes;
    if (state.queued) return state.queued;
    const start = (): Promise<void> => {
      const members = this.sets.get(key) ?? [];
      const write = (
        members.length === 0 ? this.keyv.delete(`set:${key}`) : this.keyv.set(`set:${key}`, members)
      ).then(() => undefined);
      const running: Promise<void> = write.finally(() => {
        if (state.running === running) state.running = undefined;
      });
      state.running = running;
      return running;
    };
    if (!state.running) return start();
    const queued = state.running
      .catch(() => undefined)
      .then(() => {
        state.queued = undefined;
        return start();
      });
    state.queued = queued;
    return queued;
  }

  async ping(): Promise<void> {
    await this.adapter.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}
