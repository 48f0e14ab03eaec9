/**
 * The pool's circuit breaker. A deployment that answers 401, 403, 5xx or not at all several times in a
 * row, whichever part of the bot called it, is taken out for a cool-down (doubling with each trip up to
 * a cap); no new job is sent there. When the cool-down is over a probe (a free list call) decides: it
 * answers, the deployment is back; it does not, another, longer cool-down. Jobs already rendering there
 * keep being polled there (the poller ignores the breaker).
 *
 * The breaker's state is in the store (`pool:NAME:breaker`), so every replica routes around a
 * deployment one of them found out; the failure count is each process's own. The implicit pool of one
 * (a provider configured without SORA_POOL) has no breaker: there is nowhere else to go, and it behaves
 * exactly as before.
 */
import { isSoraError, type SoraErrorCode } from '../sora/errors.js';
import type { Deployment } from '../sora/pool/deployment-pool.js';
import type { CoreContext } from './core-context.js';

/** What the store keeps per deployment; absent when it never tripped (or long ago). */
export interface BreakerRecord {
  state: 'out' | 'back';
  /** While out: when the next probe is due. */
  until: number;
  /** Trips since it last stayed well for a whole `maxCoolDownMs`: the next cool-down doubles with it. */
  trips: number;
  /** Why it went out (an error code and status, never a key or URL). */
  reason: string;
}

const TRIPPING: readonly SoraErrorCode[] = ['auth', 'permission', 'server', 'network', 'timeout'];
const PROBE_LEASE_MS = 15_000;
const HEALTH_LEASE = 'loop:pool-health';

export function breakerKey(name: string): string {
  return `pool:${name}:breaker`;
}

export class PoolHealth {
  private readonly failures = new Map<string, number>();
  private nextHealthCheckAt = 0;

  /** When this process next checks the deployments in service. */
  get nextCheckAt(): number {
    return this.nextHealthCheckAt;
  }

  constructor(private readonly ctx: CoreContext) {
    if (this.enabled) ctx.pool.listen((name, error) => this.onOutcome(name, error));
  }

  get enabled(): boolean {
    return this.ctx.pool.named;
  }

  /** Every deployment's breaker as stored now. */
  async records(): Promise<Map<string, BreakerRecord | undefined>> {
    const out = new Map<string, BreakerRecord | undefined>();
    if (!this.enabled) return out;
    const store = this.ctx.ledger.store;
    for (const d of this.ctx.pool.deployments)
      out.set(d.name, await store.get<BreakerRecord>(breakerKey(d.name)));
    return out;
  }

  /**
   * Runs what is due: a probe of each deployment whose cool-down is over, and (every
   * `healthCheckEveryMs`, one replica) a check of those in service. Returns the breakers as they are after.
   */
  async tick(now: number): Promise<Map<string, BreakerRecord | undefined>> {
    const records = await this.records();
    if (!this.enabled) return records;
    for (const d of this.ctx.pool.deployments) {
      const record = records.get(d.name);
      if (record?.state === 'out' && record.until <= now) records.set(d.name, await this.probe(d, record));
    }
    if (now >= this.nextHealthCheckAt) {
      this.nextHealthCheckAt = now + this.ctx.pool.breaker.healthCheckEveryMs;
      await this.checkInService(records);
    }
    return records;
  }

  /** A call's outcome (error undefined: it answered). Only failures that say "this deployment is broken" count. */
  onOutcome(name: string, error: unknown): void {
    if (error === undefined) {
      this.failures.set(name, 0);
      return;
    }
    if (!isSoraError(error) || !TRIPPING.includes(error.code)) return;
    const count = (this.failures.get(name) ?? 0) + 1;
    this.failures.set(name, count);
    if (count < this.ctx.pool.breaker.failuresToTrip) return;
    this.failures.set(name, 0);
    const reason = `${error.code}${error.status ? ` ${error.status}` : ''}`;
    void this.trip(name, reason).catch((e) =>
      this.ctx.logger.warn({ deployment: name, err: e }, 'could not record the deployment as out'),
    );
  }

  private async trip(name: string, reason: string): Promise<BreakerRecord> {
    const store = this.ctx.ledger.store;
    const known = await store.get<BreakerRecord>(breakerKey(name));
    if (known?.state === 'out') return known;
    const { coolDownMs, maxCoolDownMs } = this.ctx.pool.breaker;
    const trips = (known?.trips ?? 0) + 1;
    const coolMs = Math.min(maxCoolDownMs, coolDownMs * 2 ** (trips - 1));
    const record: BreakerRecord = { state: 'out', until: this.ctx.clock.now() + coolMs, trips, reason };
    await store.set(breakerKey(name), record);
    this.ctx.logger.warn(
      { deployment: name, reason, coolDownMs: coolMs, trips },
      'deployment taken out of the pool; its waiting jobs go to the others',
    );
    return record;
  }

  /** One replica probes (a lease per deployment); the others see the outcome in the store. */
  private async probe(d: Deployment, record: BreakerRecord): Promise<BreakerRecord | undefined> {
    const { ledger, instanceId, logger, clock } = this.ctx;
    const lease = await ledger.store.acquireLease(`probe:${d.name}`, instanceId, PROBE_LEASE_MS);
    if (!lease) return record;
    try {
      await d.provider.listPage({ limit: 1 }, { maxRetries: 0, timeoutMs: 10_000 });
    } catch (error) {
      const code = isSoraError(error) ? error.code : 'error';
      await ledger.store.set(breakerKey(d.name), { ...record, state: 'back' } satisfies BreakerRecord);
      return this.trip(d.name, `probe: ${code}`);
    } finally {
      await ledger.store.releaseLease(lease);
    }
    // Back in service; its trips are remembered for one long cool-down, so a flapping one backs off.
    const back: BreakerRecord = { ...record, state: 'back', until: 0 };
    await ledger.store.set(breakerKey(d.name), back, this.ctx.pool.breaker.maxCoolDownMs);
    this.failures.set(d.name, 0);
    logger.info({ deployment: d.name, at: clock.now() }, 'deployment answered its probe; back in the pool');
    return back;
  }

  private async checkInService(records: Map<string, BreakerRecord | undefined>): Promise<void> {
    const { ledger, instanceId, pool } = this.ctx;
    const lease = await ledger.store.acquireLease(HEALTH_LEASE, instanceId, pool.breaker.healthCheckEveryMs);
    if (!lease) return;
    // Not released: the lease's TTL is the interval, so the cluster checks once per interval.
    await Promise.all(
      pool.deployments
        .filter((d) => records.get(d.name)?.state !== 'out')
        .map((d) =>
          // The outcome reaches the breaker through the deployment's reporting client.
          d.provider.listPage({ limit: 1 }, { maxRetries: 0, timeoutMs: 10_000 }).catch(() => undefined),
        ),
    );
  }
}
