/**
 * Posts a job's first status message and moves it to the queue (`accepted -> waiting`), under the
 * job's `announce` lease so that exactly one process does it: the one that accepted the command, or,
 * when that process died first, whichever process finds the job left `accepted` (at start, and
 * every ORPHAN_CHECK_MS for jobs older than ORPHAN_MIN_AGE_MS, younger ones being still announced).
 */
import type { CoreContext } from './core-context.js';
import { HeldLease } from './held-lease.js';
import type { Job } from './job.js';
import type { StatusMessage } from './messages.js';
import { statusMessage } from './status-reporter.js';
import { SurfaceError, type ThreadStart } from './surface.js';

const ANNOUNCE_LEASE_MS = 15_000;
/** An accepted job this old whose announce lease is free was left by a process that died. */
export const ORPHAN_MIN_AGE_MS = 10_000;
const ORPHAN_CHECK_MS = 10_000;

/** Posts the first status message the adapter's own way (e.g. Discord's deferred reply). */
export type Announce = (message: StatusMessage) => Promise<ThreadStart>;

export class JobAnnouncer {
  constructor(
    private readonly ctx: CoreContext,
    /** Jobs waiting at the queue's last pass (the first position shown is that plus one). */
    private readonly waitingCount: () => number,
  ) {}

  /** Announces a job this process just accepted; throws what the platform refused. */
  async announceNew(job: Job, announce?: Announce): Promise<Job> {
    const { ledger, instanceId } = this.ctx;
    // Held while the status message goes out, so a replica starting now does not announce it too.
    const held = await HeldLease.acquire(ledger.store, announceLease(job.id), instanceId, ANNOUNCE_LEASE_MS);
    try {
      return await this.announce(job, announce);
    } finally {
      await held?.release();
    }
  }

  /** Announces the accepted jobs at least `minAgeMs` old that nobody is announcing; returns the next check. */
  async recoverOrphans(minAgeMs: number): Promise<number> {
    const now = this.ctx.clock.now();
    for (const job of await this.ctx.ledger.inStates(['accepted']))
      if (job.createdAt <= now - minAgeMs) await this.announceOrphan(job);
    return ORPHAN_CHECK_MS;
  }

  private async announceOrphan(job: Job): Promise<void> {
    const { ledger, instanceId } = this.ctx;
    const held = await HeldLease.acquire(ledger.store, announceLease(job.id), instanceId, ANNOUNCE_LEASE_MS);
    if (!held) return; // its creator (or another replica) is announcing it
    try {
      const fresh = await ledger.get(job.id);
      if (fresh?.state === 'accepted') await this.announce(fresh);
    } catch (error) {
      this.ctx.logger.warn({ jobId: job.id, err: error }, 'could not resume an accepted job yet');
    } finally {
      await held.release();
    }
  }

  private async announce(job: Job, announce?: Announce): Promise<Job> {
    const { ledger, clock } = this.ctx;
    const surface = this.ctx.surfaces.forConversation(job.conversation);
    // The scheduler corrects the position on its next pass.
    const message = statusMessage(job, { position: this.waitingCount() + 1, etaMs: 0 });
    let thread: ThreadStart;
    if (announce) thread = await announce(message);
    else if (surface) thread = await surface.startJob(job.conversation, message);
    else throw new SurfaceError('platform_error', `no adapter is running for ${job.conversation}`);
    const platform = surface?.platform ?? job.requester.platform;
    await ledger.indexMessage(platform, thread.statusRef, job.id);
    const saved = await ledger.transition(job.id, clock.now(), (j) =>
      j.state === 'accepted'
        ? { state: 'waiting', conversation: thread.conversation, statusRef: thread.statusRef }
        : // Deleted while the message went out: keep the reference so the status shows it.
          j.statusRef === null
          ? { conversation: thread.conversation, statusRef: thread.statusRef }
          : undefined,
    );
    return saved.job ?? job;
  }
}

function announceLease(jobId: string): string {
  return `announce:${jobId}`;
}
