/**
 * Keeps each job's status message up to date without flooding the platform: progress edits for one
 * job are at most one per `progressIntervalMs` of its surface; phase changes (queued -> rendering ->
 * done) always go out. A failed edit is logged and forgotten: progress is cosmetic, delivery is not.
 */
import type { CoreContext } from './core-context.js';
import type { Job } from './job.js';
import { cancelledFacts, statusControls } from './job-controls.js';
import { type StatusMessage, type StatusPhase, toJobView } from './messages.js';

const FINAL_PHASES: ReadonlySet<StatusPhase> = new Set(['done', 'failed', 'deleted', 'cancelled']);

export interface QueueInfo {
  position: number;
  etaMs: number;
  /** Why the queue does not move at all (every deployment of the pool is out), in one plain line. */
  held?: string;
}

export function phaseOf(job: Job): StatusPhase {
  switch (job.state) {
    case 'accepted':
    case 'waiting':
      if (job.approval?.state === 'pending') return 'approval';
      return job.submitStartedAt ? 'submitting' : 'queued';
    case 'submitted':
    case 'rendering':
      return 'rendering';
    case 'downloading':
      return 'downloading';
    case 'delivering':
      return 'delivering';
    case 'delivered':
      return 'done';
    case 'failed':
      return 'failed';
    case 'deleted':
      return job.cancelledAt !== null ? 'cancelled' : 'deleted';
  }
}

export function statusMessage(job: Job, queue: QueueInfo | undefined): StatusMessage {
  const phase = phaseOf(job);
  return {
    kind: 'status',
    job: toJobView(job),
    phase,
    progress: phase === 'done' ? 100 : job.progress,
    queuePosition: phase === 'queued' ? (queue?.position ?? null) : null,
    etaMs: phase === 'queued' ? (queue?.etaMs ?? null) : null,
    ...(phase === 'queued' && queue?.held ? { held: queue.held } : {}),
    actions: [
      ...(phase === 'approval'
        ? [
            { kind: 'approve', jobId: job.id, label: 'Approve' } as const,
            { kind: 'deny', jobId: job.id, label: 'Deny' } as const,
          ]
        : []),
      ...statusControls(job.id, phase),
    ],
    cancelled: phase === 'cancelled' ? cancelledFacts(job) : null,
  };
}

export class StatusReporter {
  private readonly lastSent = new Map<string, { at: number; phase: StatusPhase; key: string }>();

  constructor(
    private readonly ctx: CoreContext,
    private readonly queueInfo: (jobId: string) => QueueInfo | undefined,
  ) {}

  async report(job: Job, options: { force?: boolean } = {}): Promise<void> {
    if (!job.statusRef) return;
    const surface = this.ctx.surfaces.forConversation(job.conversation);
    if (!surface) return;
    const message = statusMessage(job, this.queueInfo(job.id));
    const now = this.ctx.clock.now();
    const key = `${message.phase}:${message.progress}:${message.queuePosition}:${message.held ?? ''}`;
    const last = this.lastSent.get(job.id);
    if (last && last.key === key && !options.force) return;
    const phaseChanged = !last || last.phase !== message.phase;
    if (!options.force && !phaseChanged && last && now - last.at < surface.limits.progressIntervalMs) return;
    this.lastSent.set(job.id, { at: now, phase: message.phase, key });
    try {
      await surface.updateStatus(job.conversation, job.statusRef, message);
    } catch (error) {
      this.ctx.logger.warn({ jobId: job.id, err: error }, 'status update failed');
    }
    if (FINAL_PHASES.has(message.phase)) this.lastSent.delete(job.id);
  }
}
