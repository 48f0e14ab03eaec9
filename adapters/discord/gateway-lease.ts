/**
 * One gateway session per bot token across replicas. Discord sends every event to every session of
 * an unsharded bot, so two replicas connected at once would both answer each reaction; one replica
 * holds the `gateway` lease and connects, the others stand by (they still deliver videos through the
 * REST API). The holder declares presence, so when its process dies (SIGKILL included) the lease ends
 * with it (after the store's short grace for a reconnect) and a standby, which looks every second,
 * takes over; a holder that is alive but stuck keeps the gateway until the lease lapses (`ttlMs`).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'discord.js';
import type { Logger } from '../../src/core/logger.js';
import type { KeyValues } from '../../src/store/key-values.js';
import type { Lease } from '../../src/store/store.js';

const GATEWAY_LEASE = 'gateway';
/** How often a standby looks at the lease: one store call a second, so a dead holder is seen soon. */
const STANDBY_CHECK_MS = 1_000;

export interface GatewayLeaseOptions {
  client: Client;
  token: string;
  values: KeyValues;
  logger: Logger;
  /** Connects the client and waits for READY (throws with a message for the operator). */
  login(client: Client, token: string): Promise<void>;
  /** How long the lease outlives its holder (default 20 s: takeover within 30 s with the check). */
  ttlMs?: number;
}

export class GatewayLease {
  private readonly owner = randomUUID();
  private readonly ttlMs: number;
  private lease: Lease | undefined;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private closed = false;
  private renewedAt = 0;

  constructor(private readonly options: GatewayLeaseOptions) {
    this.ttlMs = options.ttlMs ?? 20_000;
  }

  /** The holder renews a quarter of the TTL at a time. */
  private get renewEveryMs(): number {
    return Math.max(50, Math.floor(this.ttlMs / 4));
  }

  /** True while this replica holds the gateway. */
  get connected(): boolean {
    return this.lease !== undefined;
  }

  /**
   * Connects when the gateway is free (a login error is thrown, as at any start); otherwise stands
   * by. Either way the REST API works, so this replica can post videos.
   */
  async start(): Promise<'connected' | 'standby'> {
    this.enableRest();
    await this.options.values.declarePresence(this.owner);
    const state = (await this.tryTakeOver(true)) ? 'connected' : 'standby';
    this.timer = setInterval(() => void this.check(), Math.min(STANDBY_CHECK_MS, this.renewEveryMs));
    this.timer.unref();
    return state;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    if (this.lease) await this.options.values.releaseLease(this.lease).catch(() => undefined);
    this.lease = undefined;
  }

  /** Renews the lease while holding it; otherwise tries to take the gateway over. */
  private async check(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      if (this.lease) {
        if (Date.now() - this.renewedAt < this.renewEveryMs) return;
        if (await this.options.values.renewLease(this.lease, this.ttlMs)) this.renewedAt = Date.now();
        else await this.lost();
      } else await this.tryTakeOver(false);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'discord gateway lease check failed; will retry');
    } finally {
      this.busy = false;
    }
  }

  private async tryTakeOver(atStart: boolean): Promise<boolean> {
    const lease = await this.options.values.acquireLease(GATEWAY_LEASE, this.owner, this.ttlMs);
    if (!lease) return false;
    this.lease = lease;
    this.renewedAt = Date.now();
    try {
      await this.options.login(this.options.client, this.options.token);
    } catch (error) {
      await this.options.values.releaseLease(lease).catch(() => undefined);
      this.lease = undefined;
      this.enableRest();
      if (atStart) throw error;
      this.options.logger.warn({ err: error }, 'could not take over the Discord gateway; will retry');
      return false;
    }
    if (!atStart) this.options.logger.info({}, 'took over the Discord gateway from a replica that stopped');
    return true;
  }

  private async lost(): Promise<void> {
    this.lease = undefined;
    this.options.logger.warn({}, 'lost the Discord gateway lease; disconnecting and standing by');
    await this.options.client.destroy();
    this.enableRest();
  }

  /** What `login` does before it connects: the token for REST calls, without a gateway session. */
  private enableRest(): void {
    const { client, token } = this.options;
    client.token = token;
    client.rest.setToken(token);
  }
}
