/**
 * Where each waiting job stands in the team queue, and about when it will start: from its place in
 * the fair order, the renders running, the pool's capacity and per-minute limit, and how long recent
 * renders took. Refreshed at the end of every queue pass (SubmissionScheduler).
 */
import type { CoreContext } from './core-context.js';
import { ALL_OUT_LINE, type RoutingPass } from './deployment-router.js';
import type { Job } from './job.js';
import type { QueueInfo } from './status-reporter.js';

export class QueueEstimates {
  private positions = new Map<string, QueueInfo>();
  private renderDurations: number[] = [];

  constructor(private readonly ctx: CoreContext) {}

  /** Jobs waiting at the end of the last pass. */
  get count(): number {
    return this.positions.size;
  }

  of(jobId: string): QueueInfo | undefined {
    return this.positions.get(jobId);
  }

  /** Feeds the estimates with how long a real render took (the last 20 count). */
  recordRenderDuration(ms: number): void {
    this.renderDurations = [...this.renderDurations.slice(-19), ms];
  }

  /** The queue as a pass left it: `waiting` in fair order. */
  update(waiting: Job[], pass: RoutingPass): void {
    const { running, maxConcurrent, rpm } = pass.totals();
    const renderMs =
      this.renderDurations.length > 0
        ? this.renderDurations.reduce((a, b) => a + b, 0) / this.renderDurations.length
        : this.ctx.settings.estimatedRenderMs;
    const windowMinutes = this.ctx.pool.windowMs;
    // Every deployment out: one plain line instead of an estimate nobody can keep.
    const held = pass.allOut ? { held: ALL_OUT_LINE } : {};
    const positions = new Map<string, QueueInfo>();
    waiting.forEach((job, index) => {
      // Jobs ahead of this one, plus those running, share `maxConcurrent` slots of one render each.
      const slotsAhead = Math.max(0, index + running - maxConcurrent + 1);
      const byConcurrency = Math.ceil(slotsAhead / maxConcurrent) * renderMs;
      const byRate = rpm > 0 ? Math.floor(index / rpm) * windowMinutes : 0;
      positions.set(job.id, { position: index + 1, etaMs: Math.max(byConcurrency, byRate), ...held });
    });
    this.positions = positions;
  }
}
