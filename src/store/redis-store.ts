/**
 * The store for several replicas: Redis through Keyv + @keyv/redis, with Redis's own atomic commands
 * (SET NX PX, SADD/SREM) for idempotency keys, leases and indexes, so two bot processes never both
 * win a claim.
 */
import KeyvRedis from '@keyv/redis';
import type Keyv from 'keyv';
import { KeyvValues, openKeyv } from './keyv-values.js';
import type { Store } from './store.js';

type RedisClient = {
  set(key: string, value: string, options?: { NX?: boolean; PX?: number }): Promise<string | null>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
  pExpire(key: string, ms: number): Promise<number>;
  sAdd(key: string, member: string): Promise<number>;
  sRem(key: string, member: string): Promise<number>;
  sMembers(key: string): Promise<string[]>;
  ping(): Promise<string>;
};

export class RedisStore extends KeyvValues implements Store {
  readonly kind = 'redis' as const;

  private constructor(
    keyv: Keyv,
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {
    super(keyv);
  }

  static async open(url: string, namespace = 'sora'): Promise<RedisStore> {
    const adapter = new KeyvRedis(url, { throwOnConnectError: true, connectionTimeout: 5000 });
    const keyv = openKeyv(adapter, namespace);
    const client = (await adapter.getClient()) as unknown as RedisClient;
    const store = new RedisStore(keyv, client, `${namespace}:`);
    await store.ping();
    return store;
  }

  async claim(key: string, owner: string, ttlMs?: number): Promise<boolean> {
    // Raw SET NX on a key of our own: Keyv has no compare-and-set.
    const redisKey = `${this.prefix}claim:${key}`;
    const px = ttlMs ? Math.max(1, Math.round(ttlMs)) : undefined;
    const ok = await this.client.set(redisKey, owner, px ? { NX: true, PX: px } : { NX: true });
    if (ok === 'OK') return true;
    if ((await this.client.get(redisKey)) !== owner) return false;
    if (px) await this.client.pExpire(redisKey, px);
    return true;
  }

  async claimHolder(key: string): Promise<string | undefined> {
    return (await this.client.get(`${this.prefix}claim:${key}`)) ?? undefined;
  }

  async releaseClaim(key: string, owner: string): Promise<void> {
    const redisKey = `${this.prefix}claim:${key}`;
    if ((await this.client.get(redisKey)) === owner) await this.client.del(redisKey);
  }

  async addToSet(key: string, member: string): Promise<void> {
    await this.client.sAdd(`${this.prefix}set:${key}`, member);
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    await this.client.sRem(`${this.prefix}set:${key}`, member);
  }

  async members(key: string): Promise<string[]> {
    return this.client.sMembers(`${this.prefix}set:${key}`);
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}
