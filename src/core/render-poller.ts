/**
 * Polls the provider for jobs it is rendering. Intervals adapt per job (quick at first, then
 * slower, or exactly what `openai-poll-after-ms` asks). From `pollBatchThreshold` rendering jobs on,
 * a tick walks the list endpoint (100 videos a page) once and refreshes every rendering job from it
 * instead of reading each job's status, so provider calls grow with the number of ticks, not with the
 * number of jobs.
 *
 * One replica polls for the whole cluster: it holds the `loop:poller` lease (renewed every tick), so
 * replicas do not multiply the provider calls; when it dies another takes over within about a second
 * (its presence ends with its process, and this lease keeps no grace for a reconnect: see
 * LeaseOptions.repeatable), or within the lease's TTL on a store without presence.
 * Results are recorded with compare-and-set: a job deleted meanwhile stays deleted.
 *
 * Each job is polled at the deployment it was sent to (`job.deployment`), also while that deployment
 * is out of the pool (the breaker only stops new jobs going there). One that stops answering is polled
 * until the provider's retention would have dropped the job anyway, then the job fails plainly.
 */
import { isSoraError } from '../sora/errors.js';
import type { Video } from '../sora/video.js';
import type { CoreContext } from './core-context.js';
import { deploymentOf, releaseSlots } from './deployment-router.js';
import { HeldLease, untilLapse } from './held-lease.js';
import { AT_PROVIDER_STATES, type Job } from './job.js';
import { DEFAULT_FLOOR_FRACTION, nextPollAt } from './poll-timing.js';

const POLLER_LEASE = 'loop:poller';
/**
 * How often a replica that does not poll looks whether the poller is still there (two store calls):
 * every render of the cluster waits on the poller, so a dead one is replaced within a quarter second
 * rather than the second a job's step lease is looked at again after.
 */
const POLLER_RECHECK_MS = 250;
const KNOWN_STATUSES: readonly string[] = ['queued', 'in_progress', 'completed', 'failed'];

/** Jobs due within this fraction of their interval are polled in the same tick (batching). */
const COALESCE_FRACTION = 0.5;
/**
 * How soon a job refreshed by a list walk may be looked at again when its progress says it ends soon:
 * a fifth of its interval, not the half a single job's read keeps to. A walk costs one or two list
 * calls for every job at the deployment, so a walk at each predicted end costs little; with half an
 * interval, a render that finished just after a walk waited up to half an interval to be seen, and a
 * whole batch finishing together was then seen, and downloaded, at once. In the core benchmark (500 ms
 * intervals) finish-to-seen went from 95-122 ms median, 240-255 ms p99 to 55-62 and 153-201 ms, and
 * completion-to-delivery's median from 255-286 ms to 145-215 ms, for 0.16 status calls per video
 * instead of 0.11.
 */
const LISTED_FLOOR_FRACTION = 0.2;
const MAX_LIST_PAGES = 20;
/** Progress is written to the ledger in steps this big (every poll still updates the status message). */
const PROGRESS_WRITE_STEP = 25;

export interface PollerHooks {
  onProgress(job: Job): Promise<void>;
  onCompleted(job: Job): Promise<void>;
  onFailed(job: Job): Promise<void>;
}

export interface PollStats {
  retrieveCalls: number;
  listCalls: number;
}

export class RenderPoller {
  readonly stats: PollStats = { retrieveCalls: 0, listCalls: 0 };

  constructor(
    private readonly ctx: CoreContext,
    private readonly hooks: PollerHooks,
  ) {}

  private lease: HeldLease | undefined;
  /**
   * While another replica polls: when its lease could next be free. Wakes come with every submit in
   * the cluster; without this, each one would ask the store again for a lease it cannot have.
   */
  private leaseLookAt = 0;
  /** Jobs this tick moved out of the provider's hands. */
  private readonly finished = new Set<string>();
  /**
   * Per job: when to poll (`nextPollAt`), the backoff interval, and the earliest a poll may come when
   * a tick polls jobs due soon together (half an interval after the last poll of this job).
   */
  private readonly schedule = new Map<
    string,
    { nextPollAt: number; intervalMs: number; earliestAt: number; ledgerNext: number | null }
  >();

  /**
   * Nothing rendering. Alone on its store, a submit wakes this loop; on a shared store the submit may
   * happen on another replica, which cannot wake it, so it looks again soon (one index read).
   */
  private idleMs(): number {
    const { ledger, settings } = this.ctx;
    return ledger.store.kind === 'sqlite' ? settings.pollerIdleMs : settings.pollInitialMs;
  }

  /** Gives the cluster's polling to another replica (on shutdown). */
  async stop(): Promise<void> {
    await this.lease?.release();
    this.lease = undefined;
  }

  /** Brings a video's next poll forward to now (a webhook said it changed); false for none of ours. */
  async pollSoon(videoId: string): Promise<boolean> {
    const { ledger, clock } = this.ctx;
    const jobId = await ledger.jobOfVideo(videoId);
    if (!jobId) return false;
    const now = clock.now();
    const result = await ledger.transition(jobId, now, (j) =>
      AT_PROVIDER_STATES.includes(j.state) ? { nextPollAt: now } : undefined,
    );
    return result.changed;
  }

  async tick(): Promise<number> {
    const { ledger, instanceId, settings } = this.ctx;
    if (!this.lease || this.lease.lost) {
      const waitMs = this.leaseLookAt - this.ctx.clock.now();
      if (waitMs > 0) return waitMs;
      // Repeatable: two pollers for a moment only double a few status calls (every result is recorded
      // with compare-and-set), so a dead poller's lease goes at the first look, without the reconnect
      // grace: the renders of the whole cluster wait on it.
      this.lease = await HeldLease.acquire(ledger.store, POLLER_LEASE, instanceId, settings.pollerLeaseMs, {
        repeatable: true,
      });
      if (!this.lease) {
        // Another replica polls: look again right when its lease would lapse (it may have died).
        const lapseMs = await untilLapse(ledger.store, POLLER_LEASE, POLLER_RECHECK_MS);
        this.leaseLookAt = this.ctx.clock.now() + lapseMs;
        return lapseMs;
      }
    }
    const now = this.ctx.clock.now();
    const rendering = (await ledger.inStates(AT_PROVIDER_STATES)).filter((j) => j.providerVideoId);
    const ids = new Set(rendering.map((j) => j.id));
    for (const id of this.schedule.keys()) if (!ids.has(id)) this.schedule.delete(id);
    if (rendering.length === 0) return this.idleMs();
    const due = rendering.filter((j) => this.dueAt(j) <= now);
    if (due.length > 0) {
      const dueIds = new Set(due.map((j) => j.id));
      await Promise.all(
        [...byDeployment(this.ctx, rendering).values()].map(async (jobs) => {
          const dueHere = jobs.filter((j) => dueIds.has(j.id));
          if (dueHere.length === 0) return;
          if (jobs.length < settings.pollBatchThreshold) {
            await Promise.all(dueHere.map((job) => this.retrieveOne(job)));
            return;
          }
          // One walk of a deployment's list costs the same whether it refreshes one job or a hundred:
          // refresh them all, so every job rendering there shares this tick and the next one.
          const found = await this.listMany(jobs);
          await Promise.all(
            jobs.map(async (job) => {
              const listed = found.get(job.providerVideoId!);
              if (listed) await this.apply(job, listed, null, LISTED_FLOOR_FRACTION);
              else if (dueIds.has(job.id)) await this.retrieveOne(job);
            }),
          );
        }),
      );
    }
    const after = this.ctx.clock.now();
    // No second read of the ledger: what this tick finished is known, the rest keep their schedule.
    const remaining = rendering.filter((j) => !this.finished.has(j.id));
    this.finished.clear();
    if (remaining.length === 0) return this.idleMs();
    return Math.max(50, Math.min(...remaining.map((j) => this.nextPollOf(j) - after)));
  }

  /**
   * When a job is due. The schedule lives in this process's memory (a poll is no reason to write);
   * the ledger's `nextPollAt` is read too, since a webhook moves it to make a job due now.
   */
  private nextPollOf(job: Job): number {
    const planned = this.schedule.get(job.id);
    if (!planned || planned.ledgerNext !== job.nextPollAt) return job.nextPollAt ?? 0;
    return planned.nextPollAt;
  }

  /**
   * From when a tick polls the job along with others due (coalescing): half an interval before it is
   * due, but never within half an interval of its last poll, also when its progress brought it forward.
   */
  private dueAt(job: Job): number {
    const planned = this.schedule.get(job.id);
    const coalesced = this.nextPollOf(job) - COALESCE_FRACTION * this.intervalOf(job);
    if (!planned || planned.ledgerNext !== job.nextPollAt) return coalesced;
    return Math.max(planned.earliestAt, coalesced);
  }

  private intervalOf(job: Job): number {
    return this.schedule.get(job.id)?.intervalMs ?? job.pollIntervalMs ?? this.ctx.settings.pollInitialMs;
  }

  /**
   * `progress` (the provider's, when it did not say when to poll) may bring the next poll forward, but
   * not sooner than `floorFraction` of the interval after this one.
   */
  private reschedule(
    job: Job,
    intervalMs: number,
    now: number,
    progress: number | null = null,
    floorFraction = DEFAULT_FLOOR_FRACTION,
  ): void {
    const render = progress === null ? null : { startedAt: job.submitStartedAt ?? job.submittedAt, progress };
    this.schedule.set(job.id, {
      nextPollAt: nextPollAt(now, intervalMs, render, floorFraction),
      intervalMs,
      earliestAt: now + Math.min(COALESCE_FRACTION, floorFraction) * intervalMs,
      ledgerNext: job.nextPollAt,
    });
  }

  /**
   * Walks one deployment's list endpoint (newest first) until every wanted job was seen or older
   * videos begin.
   */
  private async listMany(jobs: Job[]): Promise<Map<string, Video>> {
    const { provider } = deploymentOf(this.ctx, jobs[0]!);
    const wanted = new Set(jobs.map((j) => j.providerVideoId!));
    const oldest = Math.min(...jobs.map((j) => Math.floor((j.submittedAt ?? 0) / 1000))) - 120;
    const found = new Map<string, Video>();
    let after: string | undefined;
    try {
      for (let page = 0; page < MAX_LIST_PAGES && wanted.size > 0; page++) {
        this.stats.listCalls++;
        const list = await provider.listPage({
          limit: 100,
          order: 'desc',
          ...(after ? { after } : {}),
        });
        for (const video of list.data) {
          if (wanted.delete(video.id)) found.set(video.id, video);
        }
        const last = list.data[list.data.length - 1];
        if (!list.has_more || !list.last_id || (last && last.created_at < oldest)) break;
        after = list.last_id;
      }
    } catch (error) {
      this.ctx.logger.warn({ err: error }, 'list poll failed; falling back to per-job reads');
    }
    return found;
  }

  private async retrieveOne(job: Job): Promise<void> {
    const log = this.ctx.logger.child({ jobId: job.id });
    try {
      this.stats.retrieveCalls++;
      const { provider } = deploymentOf(this.ctx, job);
      const { video, pollAfterMs } = await provider.retrieveWithHints(job.providerVideoId!);
      await this.apply(job, video, pollAfterMs);
    } catch (error) {
      const now = this.ctx.clock.now();
      if (isSoraError(error) && error.code === 'not_found') {
        await this.finish(job.id, now, {
          state: 'failed',
          failure: {
            code: 'expired',
            message: 'the provider no longer has this job',
            requestId: error.requestId,
          },
        });
        return;
      }
      const deployment = deploymentOf(this.ctx, job);
      if (now - (job.submittedAt ?? now) > deployment.retentionMs) {
        // Its deployment stopped answering and would have dropped the job by now: stop waiting.
        await this.finish(job.id, now, {
          state: 'failed',
          failure: {
            code: 'expired',
            message: `the Sora deployment ${this.ctx.pool.named ? `"${deployment.name}" ` : ''}stopped answering and the video's time there ran out`,
            requestId: null,
          },
        });
        return;
      }
      // Transient (network, 5xx, 429): try again later; the job is not lost.
      this.reschedule(job, Math.min(this.ctx.settings.pollMaxMs, this.intervalOf(job) * 2), now);
      log.warn({ err: error }, 'status poll failed; will retry');
    }
  }

  private async apply(
    job: Job,
    video: Video,
    pollAfterMs: number | null,
    floorFraction = DEFAULT_FLOOR_FRACTION,
  ): Promise<void> {
    const { clock, settings } = this.ctx;
    const now = clock.now();
    if (video.status === 'completed') {
      await this.finish(job.id, now, {
        state: 'downloading',
        progress: 100,
        completedAt: now,
        providerExpiresAt: video.expires_at ? video.expires_at * 1000 : null,
        nextPollAt: null,
      });
      return;
    }
    if (video.status === 'failed') {
      const moderated = video.error?.code === 'moderation_blocked';
      await this.finish(job.id, now, {
        state: 'failed',
        failure: {
          code: moderated ? 'moderation_blocked' : 'provider_error',
          message: video.error?.message ?? 'the provider reported a failure',
          requestId: null,
        },
      });
      return;
    }
    const known = KNOWN_STATUSES.includes(video.status);
    const unknownSince = known ? null : (job.unknownStatusSince ?? now);
    if (unknownSince !== null && now - unknownSince > settings.unknownStatusMaxMs) {
      // A status this version does not know, for too long: stop holding a slot for it.
      await this.finish(job.id, now, {
        state: 'failed',
        failure: {
          code: 'provider_error',
          message: `the provider kept reporting a status this bot does not know ("${String(video.status).slice(0, 40)}")`,
          requestId: null,
        },
      });
      return;
    }
    const interval = pollAfterMs ?? Math.min(settings.pollMaxMs, Math.round(this.intervalOf(job) * 1.5));
    // The provider's own hint is followed exactly; otherwise its progress may bring the poll forward.
    this.reschedule(job, interval, now, pollAfterMs === null ? video.progress : null, floorFraction);
    const state = video.status === 'in_progress' ? 'rendering' : job.state;
    const progress = Math.max(job.progress, video.progress);
    // Written only when it matters after a restart or to another replica: a new state, a status this
    // version does not know, or a real step of progress. The poll schedule is this poller's own.
    const worthWriting =
      state !== job.state ||
      unknownSince !== job.unknownStatusSince ||
      progress - job.progress >= PROGRESS_WRITE_STEP;
    if (!worthWriting) {
      if (progress !== job.progress) await this.hooks.onProgress({ ...job, progress });
      return;
    }
    const result = await this.ctx.ledger.transition(job.id, now, (fresh) =>
      // A delete (or another step) got there first: leave the job as it is.
      AT_PROVIDER_STATES.includes(fresh.state)
        ? {
            state: video.status === 'in_progress' ? 'rendering' : fresh.state,
            progress: Math.max(fresh.progress, video.progress),
            unknownStatusSince: unknownSince,
          }
        : undefined,
    );
    if (result.changed) await this.hooks.onProgress(result.job);
  }

  /** Moves a job out of the provider's hands (completed or failed) and frees its slot. */
  private async finish(id: string, now: number, change: Partial<Job>): Promise<void> {
    this.finished.add(id);
    this.schedule.delete(id);
    const result = await this.ctx.ledger.transition(id, now, (fresh) =>
      AT_PROVIDER_STATES.includes(fresh.state) ? change : undefined,
    );
    await releaseSlots(this.ctx, id);
    if (!result.changed) return;
    if (result.job.state === 'failed') await this.hooks.onFailed(result.job);
    else await this.hooks.onCompleted(result.job);
  }
}

/** Rendering jobs grouped by the deployment they are at. */
function byDeployment(ctx: CoreContext, jobs: Job[]): Map<string, Job[]> {
  const groups = new Map<string, Job[]>();
  for (const job of jobs) {
    const name = deploymentOf(ctx, job).name;
    groups.set(name, [...(groups.get(name) ?? []), job]);
  }
  return groups;
}
