/**
 * The core's background work, as loops: the three that move jobs (queue, poll, deliver), woken across
 * replicas through `ClusterWake`, and the housekeeping ones that run on a timer (retention, budgets,
 * deletion cleanup, orphaned announcements). `SoraCore` builds its parts, then hands their ticks here.
 */

import { ClusterWake, type WakeTopic } from './cluster-wake.js';
import type { CoreContext } from './core-context.js';
import { DeletionCleanup } from './delete-job.js';
import { ORPHAN_MIN_AGE_MS } from './job-announcer.js';
import { WakeableLoop } from './wakeable-loop.js';

export interface LoopTicks {
  scheduler: () => Promise<number>;
  poller: () => Promise<number>;
  delivery: () => Promise<number>;
  retention: () => Promise<number>;
  budgets: () => Promise<number>;
  orphans: (minAgeMs: number) => Promise<number>;
}

export class CoreLoops {
  readonly delivery: WakeableLoop;
  private readonly wakes: ClusterWake;
  private readonly all: WakeableLoop[];

  constructor(ctx: CoreContext, ticks: LoopTicks) {
    const { clock, logger } = ctx;
    // Every completion wakes the queue; a burst of them is one pass (each pass reads the whole queue).
    const scheduler = new WakeableLoop('scheduler', ticks.scheduler, clock, logger, 1_000, 200);
    const poller = new WakeableLoop('poller', ticks.poller, clock, logger);
    this.delivery = new WakeableLoop('delivery', ticks.delivery, clock, logger);
    this.wakes = new ClusterWake(
      ctx.ledger.store,
      ctx.instanceId,
      { scheduler, poller, delivery: this.delivery },
      logger,
    );
    this.all = [
      scheduler,
      poller,
      this.delivery,
      new WakeableLoop('retention', ticks.retention, clock, logger, 60_000),
      new WakeableLoop('budgets', ticks.budgets, clock, logger, 60_000),
      new WakeableLoop('deletion-cleanup', () => new DeletionCleanup(ctx).tick(), clock, logger, 5_000),
      new WakeableLoop('orphans', () => ticks.orphans(ORPHAN_MIN_AGE_MS), clock, logger, 5_000),
    ];
  }

  /** Wakes a job-moving loop here and on every other replica. */
  wake(topic: WakeTopic): void {
    this.wakes.wake(topic);
  }

  /** Wakes every loop of this process (tests with a fake clock call it after advancing time). */
  wakeAll(): void {
    for (const loop of this.all) loop.wake();
  }

  async start(): Promise<void> {
    await this.wakes.listen();
    for (const loop of this.all) loop.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((l) => l.stop()));
  }
}
