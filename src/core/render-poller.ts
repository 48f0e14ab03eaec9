/**
 * Polls the provider for jobs it is rendering. Intervals adapt per job (quick at first, then
 * slower, or exactly what `openai-poll-after-ms` asks). From `pollBatchThreshold` rendering jobs on,
 * a tick walks the list endpoint (100 videos a page) once and refreshes every rendering job from it
 * instead of reading each job's status, so provider calls grow with the number of ticks, not with the
 * number of jobs.
 */
import { isSoraError } from '../sora/errors.js';
import type { Video } from '../sora/video.js';
import type { CoreContext } from './core-context.js';
import { AT_PROVIDER_STATES, type Job } from './job.js';

const IDLE_MS = 30_000;
/** Jobs due within this fraction of their interval are polled in the same tick (batching). */
const COALESCE_FRACTION = 0.5;
const MAX_LIST_PAGES = 20;

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

  async tick(): Promise<number> {
    const now = this.ctx.clock.now();
    const rendering = (await this.ctx.ledger.active()).filter(
      (j) => AT_PROVIDER_STATES.includes(j.state) && j.providerVideoId,
    );
    if (rendering.length === 0) return IDLE_MS;
    const due = rendering.filter(
      (j) =>
        (j.nextPollAt ?? 0) - COALESCE_FRACTION * (j.pollIntervalMs ?? this.ctx.settings.pollInitialMs) <=
        now,
    );
    if (due.length > 0) {
      if (rendering.length >= this.ctx.settings.pollBatchThreshold) {
        // One walk of the list costs the same whether it refreshes one job or a hundred: refresh them
        // all, so every rendering job shares this tick and the next one.
        const found = await this.listMany(rendering);
        const dueIds = new Set(due.map((j) => j.id));
        await Promise.all(
          rendering.map(async (job) => {
            const listed = found.get(job.providerVideoId!);
            if (listed) await this.apply(job, listed, null);
            else if (dueIds.has(job.id)) await this.retrieveOne(job);
          }),
        );
      } else {
        await Promise.all(due.map((job) => this.retrieveOne(job)));
      }
    }
    const after = this.ctx.clock.now();
    const remaining = (await this.ctx.ledger.active()).filter((j) => AT_PROVIDER_STATES.includes(j.state));
    if (remaining.length === 0) return IDLE_MS;
    return Math.max(50, Math.min(...remaining.map((j) => (j.nextPollAt ?? after) - after)));
  }

  /** Walks the list endpoint (newest first) until every wanted job was seen or older videos begin. */
  private async listMany(jobs: Job[]): Promise<Map<string, Video>> {
    const wanted = new Set(jobs.map((j) => j.providerVideoId!));
    const oldest = Math.min(...jobs.map((j) => Math.floor((j.submittedAt ?? 0) / 1000))) - 120;
    const found = new Map<string, Video>();
    let after: string | undefined;
    try {
      for (let page = 0; page < MAX_LIST_PAGES && wanted.size > 0; page++) {
        this.stats.listCalls++;
        const list = await this.ctx.provider.listPage({
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
      const { video, pollAfterMs } = await this.ctx.provider.retrieveWithHints(job.providerVideoId!);
      await this.apply(job, video, pollAfterMs);
    } catch (error) {
      const now = this.ctx.clock.now();
      if (isSoraError(error) && error.code === 'not_found') {
        const failed = await this.ctx.ledger.save(
          {
            ...job,
            state: 'failed',
            failure: {
              code: 'expired',
              message: 'the provider no longer has this job',
              requestId: error.requestId,
            },
          },
          now,
        );
        await this.hooks.onFailed(failed);
        return;
      }
      // Transient (network, 5xx, 429): try again later; the job is not lost.
      const interval = Math.min(
        this.ctx.settings.pollMaxMs,
        (job.pollIntervalMs ?? this.ctx.settings.pollInitialMs) * 2,
      );
      await this.ctx.ledger.save({ ...job, nextPollAt: now + interval, pollIntervalMs: interval }, now);
      log.warn({ err: error }, 'status poll failed; will retry');
    }
  }

  private async apply(job: Job, video: Video, pollAfterMs: number | null): Promise<void> {
    const { ledger, clock, settings } = this.ctx;
    const now = clock.now();
    // Re-read: a delete may have happened while we were waiting for the provider.
    const fresh = await ledger.get(job.id);
    if (!fresh || !AT_PROVIDER_STATES.includes(fresh.state)) return;
    if (video.status === 'completed') {
      const saved = await ledger.save(
        {
          ...fresh,
          state: 'downloading',
          progress: 100,
          completedAt: now,
          providerExpiresAt: video.expires_at ? video.expires_at * 1000 : null,
          nextPollAt: null,
        },
        now,
      );
      await this.hooks.onCompleted(saved);
      return;
    }
    if (video.status === 'failed') {
      const moderated = video.error?.code === 'moderation_blocked';
      const saved = await ledger.save(
        {
          ...fresh,
          state: 'failed',
          failure: {
            code: moderated ? 'moderation_blocked' : 'provider_error',
            message: video.error?.message ?? 'the provider reported a failure',
            requestId: null,
          },
        },
        now,
      );
      await this.hooks.onFailed(saved);
      return;
    }
    const previous = fresh.pollIntervalMs ?? settings.pollInitialMs;
    const interval = pollAfterMs ?? Math.min(settings.pollMaxMs, Math.round(previous * 1.5));
    const state = video.status === 'in_progress' ? 'rendering' : fresh.state;
    const next = {
      ...fresh,
      state,
      progress: Math.max(fresh.progress, video.progress),
      nextPollAt: now + interval,
      pollIntervalMs: interval,
    };
    // Progress and poll times are worth a disk write only with a state change: after a restart the
    // job is simply polled at once.
    const saved =
      state === fresh.state ? await ledger.saveTransient(next, now) : await ledger.save(next, now);
    await this.hooks.onProgress(saved);
  }
}
