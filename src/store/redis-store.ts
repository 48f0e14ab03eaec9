/**
 * The store for several replicas: one Redis. Records are hashes (`v` version, `d` JSON), indexes,
 * windows and slots are sorted sets, leases are hashes with a PEXPIRE and a token counter that only
 * grows (redis-leases.ts). Everything that reads then writes is a Lua script (redis-scripts.ts).
 * TTL'd values go through keyv (@keyv/redis) under the same namespace.
 */
import { randomUUID } from 'node:crypto';
import KeyvRedis from '@keyv/redis';
import type Keyv from 'keyv';
import { KeyvValues, openKeyv } from './keyv-values.js';
import { PRESENCE_GRACE_MS, RedisLeases } from './redis-leases.js';
import { runScript, type ScriptClient } from './redis-script-runner.js';
import * as scripts from './redis-scripts.js';
import {
  type EntryPost,
  type IndexEntry,
  type IndexPage,
  type Lease,
  type LeaseHolder,
  type LeaseOptions,
  type PostResult,
  type RecordWrite,
  type Store,
  StoreError,
  type VersionedRecord,
  type WindowResult,
  type WriteResult,
} from './store.js';
import { type PubSubClient, RedisSignals } from './store-signals.js';

type Reply = string | number | null | Reply[];

export { PRESENCE_GRACE_MS } from './redis-leases.js';

interface RedisClient extends ScriptClient {
  hmGet(key: string, fields: string[]): Promise<(string | null)[]>;
  hGetAll(key: string): Promise<Record<string, string>>;
  del(key: string | string[]): Promise<number>;
  zAdd(key: string, member: { score: number; value: string }): Promise<number>;
  zRem(key: string, member: string): Promise<number>;
  zCard(key: string): Promise<number>;
  zCount(key: string, min: string | number, max: string | number): Promise<number>;
  zScore(key: string, member: string): Promise<number | null>;
  zRange(key: string, min: string | number, max: string | number): Promise<string[]>;
  sendCommand(args: string[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
  mGet(keys: string[]): Promise<(string | null)[]>;
  ping(): Promise<string>;
}

type RedisConnection = RedisClient & PubSubClient;

export class RedisStore extends KeyvValues implements Store {
  readonly kind = 'redis' as const;
  readonly signals: RedisSignals;
  private readonly leases: RedisLeases;

  private constructor(
    keyv: Keyv,
    private readonly client: RedisConnection,
    private readonly prefix: string,
    presenceGraceMs: number,
  ) {
    super(keyv);
    // A lost subscriber connection only delays wake-ups (the loops look on their own); node-redis
    // reconnects it, so an error here is not worth more than the client's own retry.
    this.signals = new RedisSignals(client, prefix, () => undefined);
    this.leases = new RedisLeases(client, prefix, presenceGraceMs);
  }

  /**
   * `presenceGraceMs`: how long a lease whose holder's presence ended still binds once its side effect
   * began, as this store's acquires and looks count it (PRESENCE_GRACE_MS unless given; tests make it
   * outlast themselves to show that something happened within it).
   */
  static async open(
    url: string,
    namespace = 'sora',
    { presenceGraceMs = PRESENCE_GRACE_MS }: { presenceGraceMs?: number } = {},
  ): Promise<RedisStore> {
    const adapter = new KeyvRedis(url, { throwOnConnectError: true, connectionTimeout: 5000 });
    const keyv = openKeyv(adapter, namespace);
    try {
      const client = (await adapter.getClient()) as unknown as RedisConnection;
      const store = new RedisStore(keyv, client, `${namespace}:`, presenceGraceMs);
      await store.ping();
      return store;
    } catch (error) {
      await keyv.disconnect().catch(() => undefined);
      throw new StoreError(
        'unreachable',
        `cannot reach Redis at STORE_URL=${redactUrl(url)}: start Redis there or fix STORE_URL`,
        { cause: error },
      );
    }
  }

  private k(kind: string, name: string): string {
    return `${this.prefix}${kind}:${name}`;
  }

  private run(script: string, keys: string[], args: (string | number)[]): Promise<Reply> {
    return runScript(this.client, script, keys, args) as Promise<Reply>;
  }

  // Versioned records

  async readRecord<T>(key: string): Promise<VersionedRecord<T> | undefined> {
    const [v, d] = await this.client.hmGet(this.k('rec', key), ['v', 'd']);
    return v && d ? { version: Number(v), value: JSON.parse(d) as T } : undefined;
  }

  async readRecordsSince<T>(
    keys: readonly string[],
    held: readonly (number | undefined)[],
  ): Promise<(VersionedRecord<T> | number | undefined)[]> {
    if (keys.length === 0) return [];
    if (keys.length === 1) {
      // One HMGET is atomic on its own, and far cheaper for Redis than a script (the ledger reads one
      // record before every write): the value comes along, and is parsed only if it changed.
      const [v, d] = await this.client.hmGet(this.k('rec', keys[0]!), ['v', 'd']);
      if (!v || !d) return [undefined];
      return [Number(v) === held[0] ? Number(v) : { version: Number(v), value: JSON.parse(d) as T }];
    }
    const replies = (await this.run(
      scripts.READ_RECORDS_SINCE,
      keys.map((key) => this.k('rec', key)),
      keys.map((_, i) => held[i] ?? ''),
    )) as (null | [string] | [string, string])[];
    return replies.map((reply) => {
      if (!reply) return undefined;
      const [v, d] = reply;
      return d === undefined ? Number(v) : { version: Number(v), value: JSON.parse(d) as T };
    });
  }

  async writeRecord(write: RecordWrite): Promise<WriteResult> {
    const adds = write.indexAdd ?? [];
    const removes = write.indexRemove ?? [];
    const recordKey = this.k('rec', write.key);
    const keys = [
      recordKey,
      write.fence ? this.k('lease', write.fence.lease) : recordKey,
      ...adds.map((e) => this.k('idx', e.index)),
      ...removes.map((e) => this.k('idx', e.index)),
    ];
    const args: (string | number)[] = [
      write.expectedVersion,
      JSON.stringify(write.value),
      write.fence ? write.fence.token : '',
      adds.length,
      ...adds.flatMap((e) => [e.member, e.score]),
      ...removes.map((e) => e.member),
    ];
    const [ok, detail] = (await this.run(scripts.WRITE_RECORD, keys, args)) as [number, string | number];
    return ok === 1
      ? { ok: true, version: Number(detail) }
      : { ok: false, reason: detail === 'fenced' ? 'fenced' : 'conflict' };
  }

  async deleteRecord(key: string, indexRemove: readonly Omit<IndexEntry, 'score'>[] = []): Promise<void> {
    await this.client.del(this.k('rec', key));
    for (const e of indexRemove) await this.client.zRem(this.k('idx', e.index), e.member);
  }

  // Leases (RedisLeases)

  async acquireLease(
    name: string,
    owner: string,
    ttlMs?: number,
    options: LeaseOptions = {},
  ): Promise<Lease | undefined> {
    return this.leases.acquire(name, owner, ttlMs, options);
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    return this.leases.renew(lease, ttlMs);
  }

  async releaseLease(lease: Lease): Promise<void> {
    await this.leases.release(lease);
  }

  async beginSideEffect(lease: Lease): Promise<boolean> {
    return this.leases.beginSideEffect(lease);
  }

  async endSideEffect(lease: Lease): Promise<boolean> {
    return this.leases.endSideEffect(lease);
  }

  async leaseHolder(name: string): Promise<LeaseHolder | undefined> {
    return this.leases.holder(name);
  }

  async declarePresence(owner: string): Promise<void> {
    await this.signals.hold(this.leases.presenceChannel(owner));
  }

  async breakLeases(prefix: string): Promise<number> {
    return this.leases.breakAll(prefix);
  }

  // Counters

  async takeFromWindow(name: string, limit: number, windowMs: number, now: number): Promise<WindowResult> {
    const reply = (await this.run(
      scripts.TAKE_FROM_WINDOW,
      [this.k('win', name)],
      [limit, windowMs, now, `${now}:${randomUUID()}`],
    )) as number[];
    return reply[0] === 1 ? { ok: true } : { ok: false, retryInMs: Number(reply[1]) };
  }

  async returnToWindow(name: string, at: number): Promise<void> {
    await this.run(scripts.RETURN_TO_WINDOW, [this.k('win', name)], [at]);
  }

  async windowCount(name: string, windowMs: number, now: number): Promise<number> {
    return this.client.zCount(this.k('win', name), `(${now - windowMs}`, '+inf');
  }

  async acquireSlot(name: string, member: string, limit: number): Promise<boolean> {
    return (await this.run(scripts.ACQUIRE_SLOT, [this.k('slots', name)], [member, limit, Date.now()])) === 1;
  }

  async releaseSlot(name: string, member: string): Promise<void> {
    await this.client.zRem(this.k('slots', name), member);
  }

  async slotHolders(name: string): Promise<string[]> {
    return this.client.zRange(this.k('slots', name), 0, -1);
  }

  async addToCounter(
    name: string,
    delta: number,
    options: { max?: number; ttlMs?: number } = {},
  ): Promise<{ ok: boolean; value: number }> {
    const reply = (await this.run(
      scripts.ADD_TO_COUNTER,
      [this.k('ctr', name)],
      [delta, options.max ?? '', options.ttlMs ? Math.round(options.ttlMs) : ''],
    )) as [number, string];
    return { ok: reply[0] === 1, value: Number(reply[1]) };
  }

  async counterValue(name: string): Promise<number> {
    return Number((await this.client.get(this.k('ctr', name))) ?? 0);
  }

  async counterValues(names: readonly string[]): Promise<number[]> {
    if (names.length === 0) return [];
    const values = await this.client.mGet(names.map((name) => this.k('ctr', name)));
    return values.map((v) => Number(v ?? 0));
  }

  async postEntry(post: EntryPost): Promise<PostResult> {
    const adds = post.indexAdd ?? [];
    const removes = post.indexRemove ?? [];
    const keys = [
      this.k('idx', post.once.index),
      ...post.counters.map((c) => this.k('ctr', c.name)),
      ...adds.map((e) => this.k('idx', e.index)),
      ...removes.map((e) => this.k('idx', e.index)),
    ];
    const args: (string | number)[] = [
      post.once.member,
      post.once.score,
      post.counters.length,
      ...post.counters.flatMap((c) => [c.delta, c.max ?? '', c.ttlMs ? Math.round(c.ttlMs) : '']),
      adds.length,
      ...adds.flatMap((e) => [e.member, e.score]),
      ...removes.map((e) => e.member),
    ];
    const reply = (await this.run(scripts.POST_ENTRY, keys, args)) as (number | string)[];
    if (reply[0] === 1) return { ok: true, values: reply.slice(1).map(Number) };
    if (reply[1] === 'duplicate') return { ok: false, reason: 'duplicate' };
    return { ok: false, reason: 'over', counter: Number(reply[2]), value: Number(reply[3]) };
  }

  // Sorted indexes

  async indexAdd(index: string, member: string, score: number): Promise<void> {
    await this.client.zAdd(this.k('idx', index), { score, value: member });
  }

  async indexRemove(index: string, member: string): Promise<void> {
    await this.client.zRem(this.k('idx', index), member);
  }

  async indexRange(index: string, page: IndexPage): Promise<IndexEntry[]> {
    const key = this.k('idx', index);
    const limit = Math.max(0, Math.trunc(page.limit));
    if (limit === 0) return [];
    const after = page.after;
    // Keyset: start at the cursor's score (inclusive), skip entries up to the cursor itself. Members
    // with equal scores are ordered by member, as ZRANGEBYSCORE orders them.
    const args =
      page.order === 'asc'
        ? ['ZRANGE', key, after ? String(after.score) : '-inf', '+inf', 'BYSCORE']
        : ['ZRANGE', key, after ? String(after.score) : '+inf', '-inf', 'BYSCORE', 'REV'];
    const out: IndexEntry[] = [];
    // Without a cursor the offset is the server's (LIMIT offset count); after one it is skipped here.
    let skip = after ? Math.max(0, Math.trunc(page.offset ?? 0)) : 0;
    let offset = after ? 0 : Math.max(0, Math.trunc(page.offset ?? 0));
    const batch = limit + 16;
    while (out.length < limit) {
      const reply = (await this.client.sendCommand([
        ...args,
        'LIMIT',
        String(offset),
        String(batch),
        'WITHSCORES',
      ])) as string[];
      if (reply.length === 0) break;
      for (let i = 0; i < reply.length && out.length < limit; i += 2) {
        const member = reply[i] as string;
        const score = Number(reply[i + 1]);
        if (after && score === after.score) {
          if (page.order === 'asc' ? member <= after.member : member >= after.member) continue;
        }
        if (skip > 0) {
          skip--;
          continue;
        }
        out.push({ index, member, score });
      }
      if (reply.length < batch * 2) break;
      offset += batch;
    }
    return out;
  }

  async indexCount(index: string): Promise<number> {
    return this.client.zCard(this.k('idx', index));
  }

  async indexScore(index: string, member: string): Promise<number | undefined> {
    return (await this.client.zScore(this.k('idx', index), member)) ?? undefined;
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    await this.signals.close();
    await this.keyv.disconnect();
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an invalid URL';
  }
}
