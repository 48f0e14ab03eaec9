/**
 * The Redis store's leases: a hash per lease (owner, token, and what presence needs) with a PEXPIRE,
 * and a token counter per name that only grows. Acquire, renew, release, the side effect's start and
 * end, and the holder's look are each one Lua script (redis-scripts.ts), so every read-then-write is atomic
 * across replicas. Presence is a pub/sub subscription per owner (RedisStore.declarePresence).
 */
import { runScript, type ScriptClient } from './redis-script-runner.js';
import * as scripts from './redis-scripts.js';
import type { Lease, LeaseHolder, LeaseOptions } from './store.js';

/**
 * How long a present owner's subscription must stay gone before its leases are free (see
 * redis-scripts.ts). A dropped subscriber connection (a proxy's idle timeout, one reset socket) is
 * back within node-redis's first retry (50 to 250 ms); after a Redis restart every client comes back
 * within its backoff (at most 2.2 s between tries), and the first look that starts the grace comes
 * from a client that is already back. So 3 s covers both, and is short next to the lease TTLs it
 * stands in for (15 to 30 s).
 */
export const PRESENCE_GRACE_MS = 3_000;

export interface LeaseClient extends ScriptClient {
  del(key: string | string[]): Promise<number>;
  sendCommand(args: string[]): Promise<unknown>;
}

export class RedisLeases {
  constructor(
    private readonly client: LeaseClient,
    private readonly prefix: string,
    private readonly graceMs = PRESENCE_GRACE_MS,
  ) {}

  private k(kind: string, name: string): string {
    return `${this.prefix}${kind}:${name}`;
  }

  private run(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return runScript(this.client, script, keys, args);
  }

  async acquire(
    name: string,
    owner: string,
    ttlMs?: number,
    options: LeaseOptions = {},
  ): Promise<Lease | undefined> {
    const ttl = ttlMs === undefined ? '' : Math.max(1, Math.round(ttlMs));
    const ownGrace = options.repeatable ? 0 : '';
    const reply = (await this.run(
      scripts.ACQUIRE_LEASE,
      [this.k('lease', name), this.k('leasetoken', name)],
      [owner, ttl, this.presencePrefix, this.graceMs, ownGrace],
    )) as number[];
    return reply[0] === 1 ? { name, owner, token: Number(reply[1]) } : undefined;
  }

  async renew(lease: Lease, ttlMs: number): Promise<boolean> {
    const reply = await this.run(
      scripts.RENEW_LEASE,
      [this.k('lease', lease.name)],
      [lease.owner, lease.token, Math.max(1, Math.round(ttlMs))],
    );
    return reply === 1;
  }

  async release(lease: Lease): Promise<void> {
    await this.run(scripts.RELEASE_LEASE, [this.k('lease', lease.name)], [lease.owner, lease.token]);
  }

  async beginSideEffect(lease: Lease): Promise<boolean> {
    const reply = await this.run(
      scripts.BEGIN_SIDE_EFFECT,
      [this.k('lease', lease.name)],
      [lease.owner, lease.token, this.presencePrefix],
    );
    return reply === 1;
  }

  async endSideEffect(lease: Lease): Promise<boolean> {
    const reply = await this.run(
      scripts.END_SIDE_EFFECT,
      [this.k('lease', lease.name)],
      [lease.owner, lease.token],
    );
    return reply === 1;
  }

  async holder(name: string): Promise<LeaseHolder | undefined> {
    const reply = (await this.run(
      scripts.LEASE_HOLDER,
      [this.k('lease', name)],
      [this.presencePrefix, this.graceMs],
    )) as [string, string, number, string, string, string, number] | null;
    if (!reply) return undefined;
    const [owner, token, ttl, watched, grace, gone, graceLeft] = reply;
    return {
      owner,
      token: Number(token),
      expiresAt: ttl > 0 ? Date.now() + ttl : null,
      watched: watched === '1',
      graceMs: Number(grace),
      gone: gone === '1',
      graceEndsAt: gone === '1' && graceLeft >= 0 ? Date.now() + graceLeft : null,
    };
  }

  /** The pub/sub channel an owner subscribes to while it is present (Store.declarePresence). */
  presenceChannel(owner: string): string {
    return `${this.presencePrefix}${owner}`;
  }

  private get presencePrefix(): string {
    return `${this.prefix}presence:`;
  }

  async breakAll(prefix: string): Promise<number> {
    const pattern = `${this.k('lease', prefix).replace(/[*?[\]\\]/g, '\\$&')}*`;
    let broken = 0;
    let cursor = '0';
    do {
      const [next, keys] = (await this.client.sendCommand([
        'SCAN',
        cursor,
        'MATCH',
        pattern,
        'COUNT',
        '500',
      ])) as [string, string[]];
      cursor = next;
      if (keys.length > 0) broken += await this.client.del(keys);
    } while (cursor !== '0');
    return broken;
  }
}
