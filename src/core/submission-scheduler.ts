/**
 * The team queue: submits waiting jobs to the provider in fair order, never past SORA_MAX_CONCURRENT
 * jobs at the provider or SORA_RPM job requests a minute. A provider 429 is back-pressure (wait and
 * resubmit), not a failure. Before a create call the job records `submitStartedAt`; if the process
 * dies before the provider's answer is saved, the next attempt adopts the provider's job instead of
 * paying for a second one.
 */

import { readFile } from 'node:fs/promises';
import { isSoraError, type SoraError } from '../sora/errors.js';
import type { Video } from '../sora/video.js';
import type { CoreContext } from './core-context.js';
import { fairOrder, RequestWindow } from './fair-order.js';
import { AT_PROVIDER_STATES, type FailureCode, type Job } from './job.js';
import { requesterKey } from './requester.js';
import type { QueueInfo } from './status-reporter.js';

const IDLE_MS = 30_000;
const MAX_SUBMIT_ATTEMPTS = 8;
/** Window for matching a provider job to a create call whose answer we never saved. */
const ADOPT_WINDOW_S = 120;

export interface SchedulerHooks {
  onSubmitted(job: Job): Promise<void>;
  onFailed(job: Job): Promise<void>;
  onQueueChanged(waiting: Job[]): Promise<void>;
}

export class SubmissionScheduler {
  private readonly window: RequestWindow;
  private readonly lastServedAt = new Map<string, number>();
  private pausedUntil = 0;
  private positions = new Map<string, QueueInfo>();
  private renderDurations: number[] = [];

  constructor(
    private readonly ctx: CoreContext,
    private readonly hooks: SchedulerHooks,
  ) {
    this.window = new RequestWindow(ctx.settings.requestsPerMinute);
  }

  /** Jobs waiting at the end of the last pass. */
  waitingCount(): number {
    return this.positions.size;
  }

  queueInfo(jobId: string): QueueInfo | undefined {
    return this.positions.get(jobId);
  }

  /** Feeds the queue's time estimates with how long real renders took. */
  recordRenderDuration(ms: number): void {
    this.renderDurations = [...this.renderDurations.slice(-19), ms];
  }

  /** Rebuilds the request window after a restart from the jobs submitted in the last minute. */
  restore(jobs: Job[]): void {
    const now = this.ctx.clock.now();
    for (const job of jobs)
      if (job.submittedAt && job.submittedAt > now - 60_000) this.window.record(job.submittedAt);
  }

  /** One pass: submit what the caps allow; returns how long to sleep. */
  async tick(): Promise<number> {
    const now = this.ctx.clock.now();
    const active = await this.ctx.ledger.active();
    const waiting = active.filter((j) => j.state === 'waiting');
    let running = active.filter((j) => AT_PROVIDER_STATES.includes(j.state)).length;
    const ordered = fairOrder(waiting, this.lastServedAt);
    let nextWake = IDLE_MS;
    const submitted = new Set<string>();
    for (const job of ordered) {
      if (running >= this.ctx.settings.maxConcurrent) break;
      if (this.pausedUntil > now) {
        nextWake = Math.min(nextWake, this.pausedUntil - now);
        break;
      }
      const rpmWait = this.window.waitMs(now);
      if (rpmWait > 0) {
        nextWake = Math.min(nextWake, rpmWait);
        break;
      }
      if (job.notBefore && job.notBefore > now) {
        nextWake = Math.min(nextWake, job.notBefore - now);
        continue;
      }
      const outcome = await this.submit(job);
      if (outcome === 'submitted') {
        running++;
        submitted.add(job.id);
      } else if (outcome === 'paused') {
        nextWake = Math.min(nextWake, Math.max(1, this.pausedUntil - this.ctx.clock.now()));
        break;
      }
    }
    const stillWaiting = ordered.filter((j) => !submitted.has(j.id));
    this.positions = this.estimate(stillWaiting, running);
    await this.hooks.onQueueChanged(stillWaiting);
    return nextWake;
  }

  private estimate(waiting: Job[], running: number): Map<string, QueueInfo> {
    const { maxConcurrent, requestsPerMinute } = this.ctx.settings;
    const renderMs =
      this.renderDurations.length > 0
        ? this.renderDurations.reduce((a, b) => a + b, 0) / this.renderDurations.length
        : this.ctx.settings.estimatedRenderMs;
    const positions = new Map<string, QueueInfo>();
    waiting.forEach((job, index) => {
      // Jobs ahead of this one, plus those running, share `maxConcurrent` slots of one render each.
      const slotsAhead = Math.max(0, index + running - maxConcurrent + 1);
      const byConcurrency = Math.ceil(slotsAhead / maxConcurrent) * renderMs;
      const byRate = requestsPerMinute > 0 ? Math.floor(index / requestsPerMinute) * 60_000 : 0;
      positions.set(job.id, { position: index + 1, etaMs: Math.max(byConcurrency, byRate) });
    });
    return positions;
  }

  private async submit(job: Job): Promise<'submitted' | 'paused' | 'failed' | 'retry'> {
    const { ledger, clock, logger } = this.ctx;
    const log = logger.child({ jobId: job.id });
    let current = job;
    if (current.submitStartedAt) {
      const adopted = await this.adopt(current);
      if (adopted) {
        log.info({ videoId: adopted.id }, 'adopted the provider job of an interrupted submission');
        await this.markSubmitted(current, adopted);
        return 'submitted';
      }
    }
    current = await ledger.save(
      { ...current, submitStartedAt: clock.now(), submitAttempts: current.submitAttempts + 1 },
      clock.now(),
    );
    this.window.record(clock.now());
    try {
      const video = await this.send(current);
      await this.markSubmitted(current, video);
      log.info({ videoId: video.id, attempt: current.submitAttempts }, 'submitted to the provider');
      return 'submitted';
    } catch (error) {
      if (!isSoraError(error)) throw error;
      return this.handleSubmitError(current, error);
    }
  }

  private async send(job: Job): Promise<Video> {
    const { provider } = this.ctx;
    const r = job.request;
    if (r.kind === 'remix') {
      if (!r.remixOfVideoId) throw new Error(`remix job ${job.id} has no source video`);
      return provider.remix(r.remixOfVideoId, r.prompt);
    }
    const image = r.imagePath
      ? {
          data: new Uint8Array(await readFile(r.imagePath)),
          contentType: 'image/png',
          filename: `${job.id}.png`,
        }
      : undefined;
    return provider.create({
      prompt: r.prompt,
      model: r.model,
      seconds: r.seconds,
      size: r.size,
      ...(image ? { image } : {}),
    });
  }

  private async markSubmitted(job: Job, video: Video): Promise<void> {
    const { ledger, clock, settings } = this.ctx;
    const now = clock.now();
    await ledger.store.claim(`video:${video.id}`, job.id);
    this.lastServedAt.set(requesterKey(job.requester), now);
    const saved = await ledger.save(
      {
        ...job,
        state: video.status === 'in_progress' ? 'rendering' : 'submitted',
        providerVideoId: video.id,
        submittedAt: now,
        progress: video.progress,
        nextPollAt: now + settings.pollInitialMs,
        pollIntervalMs: settings.pollInitialMs,
        notBefore: null,
      },
      now,
    );
    await this.hooks.onSubmitted(saved);
  }

  /** Finds the provider job created by a submission whose answer was never recorded. */
  private async adopt(job: Job): Promise<Video | undefined> {
    const since = Math.floor((job.submitStartedAt ?? 0) / 1000) - ADOPT_WINDOW_S;
    try {
      let pages = 0;
      let after: string | undefined;
      while (pages++ < 5) {
        const page = await this.ctx.provider.listPage({
          limit: 100,
          order: 'desc',
          ...(after ? { after } : {}),
        });
        for (const video of page.data) {
          if (video.created_at < since) return undefined;
          const matches =
            video.prompt === job.request.prompt &&
            video.size === job.request.size &&
            video.seconds === job.request.seconds &&
            (job.request.kind !== 'remix' || video.remixed_from_video_id === job.request.remixOfVideoId);
          if (matches && (await this.ctx.ledger.store.claim(`video:${video.id}`, job.id))) return video;
        }
        if (!page.has_more || !page.last_id) return undefined;
        after = page.last_id;
      }
    } catch (error) {
      this.ctx.logger.warn({ jobId: job.id, err: error }, 'could not look for an interrupted submission');
    }
    return undefined;
  }

  private async handleSubmitError(job: Job, error: SoraError): Promise<'paused' | 'failed' | 'retry'> {
    const { ledger, clock, logger } = this.ctx;
    const now = clock.now();
    const log = logger.child({ jobId: job.id });
    if (error.code === 'rate_limited') {
      // Back-pressure: nothing was created; wait as long as the provider asked and try again.
      const waitMs = error.retryAfterMs ?? 10_000;
      this.pausedUntil = now + waitMs;
      await ledger.save({ ...job, submitStartedAt: null, notBefore: now + waitMs }, now);
      log.info({ waitMs }, 'provider is at capacity; job stays queued');
      return 'paused';
    }
    const transient = error.code === 'server' || error.code === 'network' || error.code === 'timeout';
    if (transient && job.submitAttempts < MAX_SUBMIT_ATTEMPTS) {
      const backoff = Math.min(5 * 60_000, 2_000 * 2 ** (job.submitAttempts - 1));
      await ledger.save({ ...job, notBefore: now + backoff }, now);
      log.warn({ code: error.code, backoff }, 'submission failed; will retry');
      return 'retry';
    }
    const code: FailureCode =
      error.code === 'moderation_blocked'
        ? 'moderation_blocked'
        : error.code === 'auth' || error.code === 'permission'
          ? 'auth'
          : error.code === 'invalid_request'
            ? 'invalid_request'
            : error.code === 'not_found'
              ? 'expired'
              : 'provider_error';
    const failed = await ledger.save(
      {
        ...job,
        state: 'failed',
        submitStartedAt: null,
        failure: { code, message: error.message, requestId: error.requestId },
      },
      now,
    );
    log.warn({ code, providerCode: error.providerCode, requestId: error.requestId }, 'submission rejected');
    await this.hooks.onFailed(failed);
    return 'failed';
  }
}
