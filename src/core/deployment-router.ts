/**
 * Which deployment a waiting job goes to. Each deployment has its own quota, counted for the whole
 * cluster in the store: running slots (`maxConcurrent`), a request window (`rpm`) and a 429 pause, so
 * replicas share the pool's quotas exactly as they shared the single provider's. A pass of the team
 * queue reads every deployment's load once, then places jobs in fair order: a new job goes to the least
 * loaded deployment in service that can make it; a remix to the deployment holding its source video.
 * A deployment that refuses (full, out of requests, paused) is skipped for the rest of the pass.
 */
import type { RenderRequestShape, SoraModel } from '../sora/capabilities.js';
import { modelFamily } from '../sora/capabilities.js';
import { type Deployment, DeploymentPool, missingDeployment } from '../sora/pool/deployment-pool.js';
import type { VideoProvider } from '../sora/provider.js';
import type { CoreContext } from './core-context.js';
import type { Job } from './job.js';
import { type BreakerRecord, PoolHealth } from './pool-health.js';

/** The one line people see on a queued job while no deployment can take it. */
export const ALL_OUT_LINE =
  'every Sora deployment is unavailable right now; your video keeps its place and starts when one is back.';

/** The deployment a job's provider calls go to (polling, download, delete, remix source). */
export function deploymentOf(ctx: CoreContext, job: Pick<Job, 'deployment'>): Deployment {
  const name = job.deployment ?? null;
  const found = ctx.pool.get(name);
  if (found) return found;
  const primary = ctx.pool.primary;
  return { ...primary, name: name!, provider: missingDeployment(name!, primary.provider) };
}

/** Frees a job's running slot wherever it is held (a job holds at most one). */
export async function releaseSlots(ctx: CoreContext, jobId: string): Promise<void> {
  for (const d of ctx.pool.deployments) await ctx.ledger.store.releaseSlot(d.keys.slots, jobId);
}

export function requestShape(job: Job): RenderRequestShape {
  const r = job.request;
  return {
    model: (modelFamily(r.model) ?? r.model) as SoraModel,
    size: r.size,
    seconds: r.seconds,
    promptChars: r.prompt.length,
  };
}

export type Placement =
  | { kind: 'placed'; deployment: Deployment }
  /** Nothing free for this job now; try again in `wakeMs` (or at the next completion). */
  | { kind: 'wait'; wakeMs: number | null }
  /** No deployment in the configuration can ever make it. */
  | { kind: 'impossible'; message: string };

export class DeploymentRouter {
  readonly health: PoolHealth;

  constructor(private readonly ctx: CoreContext) {
    this.health = new PoolHealth(ctx);
  }

  /** Reads every deployment's load and pause, and runs due probes; one per pass of the queue. */
  async beginPass(now: number): Promise<RoutingPass> {
    const { pool, ledger } = this.ctx;
    const breakers = await this.health.tick(now);
    const loads = new Map<string, Load>();
    for (const d of pool.deployments) {
      const running = (await ledger.store.slotHolders(d.keys.slots)).length;
      const pausedUntil = (await ledger.store.get<number>(d.keys.pausedUntil)) ?? 0;
      loads.set(d.name, { running, pausedUntil, breaker: breakers.get(d.name) });
    }
    const pass = new RoutingPass(this.ctx, loads, now);
    // Idle or not, the queue's loop is what runs the health checks.
    if (this.health.enabled) pass.wakeIn(this.health.nextCheckAt - now);
    return pass;
  }
}

interface Load {
  running: number;
  pausedUntil: number;
  breaker: BreakerRecord | undefined;
}

export class RoutingPass {
  /** Deployments that refused during this pass (full, out of requests, paused). */
  private readonly exhausted = new Set<string>();
  /** Jobs sent off to be placed whose placement is not known yet (they may take a slot each). */
  private readonly placing = new Set<string>();
  /** The soonest moment a refusal ends (a window, a pause, a cool-down). */
  wakeMs: number | null = null;

  constructor(
    private readonly ctx: CoreContext,
    private readonly loads: Map<string, Load>,
    private readonly now: number,
  ) {
    for (const d of ctx.pool.deployments) {
      const load = loads.get(d.name)!;
      if (load.breaker?.state === 'out') this.wake(Math.max(1, load.breaker.until - now));
      if (load.pausedUntil > now) this.wake(load.pausedUntil - now);
    }
  }

  /** In service: not out (breaker) and not paused by a 429. */
  inService(d: Deployment): boolean {
    const load = this.loads.get(d.name)!;
    return load.breaker?.state !== 'out' && load.pausedUntil <= this.now;
  }

  isOut(d: Deployment): boolean {
    return this.loads.get(d.name)?.breaker?.state === 'out';
  }

  /** True when every deployment of the pool is out: people see ALL_OUT_LINE. */
  get allOut(): boolean {
    return this.ctx.pool.deployments.every((d) => this.isOut(d));
  }

  /** Free slots over the deployments still taking jobs in this pass. */
  freeSlots(): number {
    let free = 0;
    for (const d of this.ctx.pool.deployments)
      if (this.inService(d) && !this.exhausted.has(d.name))
        free += Math.max(0, d.maxConcurrent - this.loads.get(d.name)!.running);
    return free;
  }

  /** Whether another job may be sent off to be placed in this pass. */
  hasRoom(): boolean {
    return this.freeSlots() - this.placing.size > 0;
  }

  dispatch(jobId: string): void {
    this.placing.add(jobId);
  }

  settle(jobId: string): void {
    this.placing.delete(jobId);
  }

  /** Jobs at the pool now (for the queue's estimates), and its capacity in service. */
  totals(): { running: number; maxConcurrent: number; rpm: number } {
    let running = 0;
    let maxConcurrent = 0;
    let rpm = 0;
    for (const d of this.ctx.pool.deployments) {
      running += this.loads.get(d.name)!.running;
      if (this.isOut(d)) continue;
      maxConcurrent += d.maxConcurrent;
      rpm += d.rpm;
    }
    return { running, maxConcurrent: Math.max(1, maxConcurrent), rpm };
  }

  /**
   * Takes a slot and a place in the request window for `job` on the best deployment that can make it:
   * `only` (a remix's source, an interrupted submission's deployment) or any serving the request, least
   * loaded first. The caller owns the slot afterwards.
   */
  async place(job: Job, only: Deployment | undefined, now: number): Promise<Placement> {
    const { pool, ledger } = this.ctx;
    const serving = only ? [only] : pool.serving(requestShape(job));
    if (serving.length === 0)
      return {
        kind: 'impossible',
        message: `no deployment of this bot can make a ${job.request.model} video at ${job.request.size}, ${job.request.seconds}s`,
      };
    const ranked = serving
      .filter((d) => this.inService(d) && !this.exhausted.has(d.name))
      .sort((a, b) => this.loadOf(a) - this.loadOf(b));
    for (const d of ranked) {
      if (!(await ledger.store.acquireSlot(d.keys.slots, job.id, d.maxConcurrent))) {
        this.exhausted.add(d.name);
        continue;
      }
      if (d.rpm > 0) {
        const window = await ledger.store.takeFromWindow(d.keys.window, d.rpm, pool.windowMs, now);
        if (!window.ok) {
          // An interrupted submission keeps the slot it already held there.
          if (!(job.submitStartedAt && only)) await ledger.store.releaseSlot(d.keys.slots, job.id);
          this.exhausted.add(d.name);
          this.wake(window.retryInMs);
          continue;
        }
      }
      this.loads.get(d.name)!.running++;
      this.placing.delete(job.id);
      return { kind: 'placed', deployment: d };
    }
    return { kind: 'wait', wakeMs: this.wakeMs };
  }

  /** A slot taken by `place` was given back (the job was deleted meanwhile, or refused). */
  released(d: Deployment): void {
    const load = this.loads.get(d.name)!;
    load.running = Math.max(0, load.running - 1);
  }

  /** A 429 from `d`: no more requests to it in this pass (the pause itself is in the store). */
  paused(d: Deployment, untilMs: number): void {
    this.loads.get(d.name)!.pausedUntil = untilMs;
    this.exhausted.add(d.name);
    this.wake(Math.max(1, untilMs - this.now));
  }

  /** Refused for this pass only (e.g. it just rejected our key). */
  skip(d: Deployment): void {
    this.exhausted.add(d.name);
  }

  private loadOf(d: Deployment): number {
    return this.loads.get(d.name)!.running / d.maxConcurrent;
  }

  wakeIn(ms: number): void {
    this.wake(Math.max(1, ms));
  }

  private wake(ms: number): void {
    this.wakeMs = this.wakeMs === null ? ms : Math.min(this.wakeMs, ms);
  }
}

/** What the core is given to reach Sora: one provider, or a pool whose first deployment it is. */
export interface CoreProviders {
  provider: VideoProvider;
  /** Several deployments (SORA_POOL); without it `provider` is a pool of one. */
  pool?: DeploymentPool;
  settings: { maxConcurrent: number; requestsPerMinute: number };
}

export function poolOf(options: CoreProviders): DeploymentPool {
  return (
    options.pool ??
    DeploymentPool.single(options.provider, {
      maxConcurrent: options.settings.maxConcurrent,
      rpm: options.settings.requestsPerMinute,
    })
  );
}
