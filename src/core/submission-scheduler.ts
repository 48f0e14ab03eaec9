/**
 * The team queue: submits waiting jobs to the provider in fair order, never past SORA_MAX_CONCURRENT
 * jobs at the provider nor SORA_RPM creates a minute, counted for the whole cluster in the store
 * (slots and a sliding window), so replicas share one quota. A provider 429 pauses every replica.
 *
 * A job is submitted under its `submit` lease, and every write that records the outcome is fenced by
 * it. `submitStartedAt` is written before the create call and the create carries an Idempotency-Key
 * derived from the job (`sora-bot-ID-N`): after a crash, a 5xx or a timeout the next attempt first
 * looks for the provider's job (adopts it) and otherwise repeats the same key, so a render is paid
 * for once. A job deleted while it was being sent is deleted at the provider as soon as its id is known.
 */

import { readFile } from 'node:fs/promises';
import { isSoraError, type SoraError } from '../sora/errors.js';
import type { Video } from '../sora/video.js';
import { findInterruptedRender } from './adopt-render.js';
import type { CoreContext } from './core-context.js';
import { fairOrder } from './fair-order.js';
import { HeldLease } from './held-lease.js';
import { AT_PROVIDER_STATES, type Job } from './job.js';
import { LeaseLostError } from './job-ledger.js';
import { LruMap } from './lru-map.js';
import { deleteAtProvider, failureCodeOf } from './provider-outcomes.js';
import { requesterKey } from './requester.js';
import type { QueueInfo } from './status-reporter.js';

const IDLE_MS = 30_000;
const MAX_SUBMIT_ATTEMPTS = 8;

/** Slots of jobs that left the provider without releasing them (a replica died) are returned this often. */
const RECONCILE_EVERY_MS = 15_000;

/** Cluster-wide names in the store. */
export const PROVIDER_SLOTS = 'provider:running';
const CREATE_WINDOW = 'provider:creates';
const PAUSED_UNTIL = 'provider:paused-until';

export interface SchedulerHooks {
  onSubmitted(job: Job): Promise<void>;
  onFailed(job: Job): Promise<void>;
  onQueueChanged(waiting: Job[]): Promise<void>;
  /** A job was deleted while its create was on the way; its render is known now: clean it up. */
  onDeletedInFlight(jobId: string): void;
}

type Outcome =
  | 'submitted'
  | 'busy'
  | 'skipped'
  | 'no-slot'
  | 'paused'
  | 'retry'
  | 'failed'
  | { rateMs: number };

export class SubmissionScheduler {
  /** Per requester; bounded, since the people of every workspace pass through here over time. */
  private readonly lastServedAt = new LruMap<string, number>(10_000);
  private positions = new Map<string, QueueInfo>();
  private renderDurations: number[] = [];
  private readonly deletedInFlight = new Set<string>();
  private nextReconcileAt = 0;

  constructor(
    private readonly ctx: CoreContext,
    private readonly hooks: SchedulerHooks,
  ) {}

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

  /** One pass: submit what the caps allow; returns how long to sleep. */
  async tick(): Promise<number> {
    const { ledger, clock, settings } = this.ctx;
    const store = ledger.store;
    const now = clock.now();
    if (now >= this.nextReconcileAt) {
      this.nextReconcileAt = now + RECONCILE_EVERY_MS;
      await this.reconcileSlots();
    }
    // A job waiting for an admin's approval is not in the queue until it is approved.
    const waiting = (await ledger.inStates(['waiting'])).filter((j) => j.approval?.state !== 'pending');
    const ordered = fairOrder(waiting, this.lastServedAt);
    let running = (await store.slotHolders(PROVIDER_SLOTS)).length;
    let nextWake = IDLE_MS;
    const submitted = new Set<string>();
    const pausedUntil = (await store.get<number>(PAUSED_UNTIL)) ?? 0;
    if (pausedUntil > now) nextWake = pausedUntil - now;
    else {
      // Up to `submitConcurrency` creates in flight, launched in fair order; the slots, the window
      // and the pause are atomic in the store, so parallel submissions (and replicas) never overshoot.
      let stop = false;
      let inFlight = 0;
      const candidates = ordered.filter((job) => {
        if (!job.notBefore || job.notBefore <= now) return true;
        nextWake = Math.min(nextWake, job.notBefore - now);
        return false;
      });
      const submitOne = async (job: Job): Promise<void> => {
        const outcome = await this.trySubmit(job);
        if (outcome === 'submitted') submitted.add(job.id);
        else if (outcome === 'no-slot') stop = true;
        else if (outcome === 'paused') {
          stop = true;
          const until = (await store.get<number>(PAUSED_UNTIL)) ?? 0;
          nextWake = Math.min(nextWake, Math.max(1, until - clock.now()));
        } else if (typeof outcome === 'object') {
          stop = true;
          nextWake = Math.min(nextWake, outcome.rateMs);
        } else if (outcome === 'retry' || outcome === 'busy') nextWake = Math.min(nextWake, 1_000);
      };
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.max(1, settings.submitConcurrency) }, async () => {
          while (!stop && next < candidates.length && running + inFlight < settings.maxConcurrent) {
            const job = candidates[next++]!;
            inFlight++;
            await submitOne(job);
            inFlight--;
            if (submitted.has(job.id)) running++;
          }
        }),
      );
    }
    const stillWaiting = ordered.filter((j) => !submitted.has(j.id));
    this.positions = this.estimate(stillWaiting, running);
    await this.hooks.onQueueChanged(stillWaiting);
    return nextWake;
  }

  /**
   * A slot belongs to a job at the provider or one being submitted. Slots of jobs that left (a
   * replica that died between the provider's answer and the release) are returned here.
   */
  private async reconcileSlots(): Promise<void> {
    const { ledger } = this.ctx;
    for (const id of await ledger.store.slotHolders(PROVIDER_SLOTS)) {
      const job = await ledger.get(id);
      const holds =
        job &&
        (AT_PROVIDER_STATES.includes(job.state) ||
          (job.state === 'waiting' && job.submitStartedAt !== null) ||
          (await ledger.store.leaseHolder(submitLease(id))) !== undefined);
      if (!holds) await ledger.store.releaseSlot(PROVIDER_SLOTS, id);
    }
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

  private async trySubmit(job: Job): Promise<Outcome> {
    const { ledger, settings, instanceId, logger } = this.ctx;
    const held = await HeldLease.acquire(
      ledger.store,
      submitLease(job.id),
      instanceId,
      settings.submitLeaseMs,
    );
    if (!held) return 'busy';
    try {
      return await this.submit(job.id, held);
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      // Another replica took the job over after our lease lapsed; it adopts what we may have created.
      logger.warn({ jobId: job.id }, 'submit lease lost; leaving the job to its new holder');
      return 'skipped';
    } finally {
      await held.release();
      if (this.deletedInFlight.delete(job.id)) this.hooks.onDeletedInFlight(job.id);
    }
  }

  private async submit(id: string, held: HeldLease): Promise<Outcome> {
    const { ledger, clock, settings, logger } = this.ctx;
    const store = ledger.store;
    const log = logger.child({ jobId: id });
    const fresh = await ledger.get(id);
    if (fresh?.state !== 'waiting') return 'skipped';
    if (fresh.submitStartedAt) {
      const adopted = await findInterruptedRender(this.ctx, fresh);
      if (adopted) {
        log.info({ videoId: adopted.id }, 'adopted the provider job of an interrupted submission');
        // It is at the provider whatever the count says: hold its slot (a cap of Infinity).
        await store.acquireSlot(PROVIDER_SLOTS, id, Number.POSITIVE_INFINITY);
        await this.recordSubmitted(id, adopted, held);
        return 'submitted';
      }
    }
    if (!(await store.acquireSlot(PROVIDER_SLOTS, id, settings.maxConcurrent))) return 'no-slot';
    const now = clock.now();
    if (settings.requestsPerMinute > 0) {
      const window = await store.takeFromWindow(CREATE_WINDOW, settings.requestsPerMinute, 60_000, now);
      if (!window.ok) {
        if (!fresh.submitStartedAt) await store.releaseSlot(PROVIDER_SLOTS, id);
        return { rateMs: window.retryInMs };
      }
    }
    const started = await ledger.transition(
      id,
      now,
      (j) =>
        j.state === 'waiting' ? { submitStartedAt: now, submitAttempts: j.submitAttempts + 1 } : undefined,
      held.fence,
    );
    if (!started.changed) {
      // Deleted (or taken elsewhere) since we looked: it is never sent.
      await store.releaseSlot(PROVIDER_SLOTS, id);
      await store.returnToWindow(CREATE_WINDOW, now);
      return 'skipped';
    }
    let video: Video;
    try {
      video = await this.send(started.job);
    } catch (error) {
      if (!isSoraError(error)) throw error;
      return this.handleSubmitError(started.job, error, held, now);
    }
    await this.recordSubmitted(id, video, held);
    log.info({ videoId: video.id, attempt: started.job.submitAttempts }, 'submitted to the provider');
    return 'submitted';
  }

  private async send(job: Job): Promise<Video> {
    const { provider } = this.ctx;
    const r = job.request;
    const options = { idempotencyKey: createKey(job) };
    if (r.kind === 'remix') {
      if (!r.remixOfVideoId) throw new Error(`remix job ${job.id} has no source video`);
      return provider.remix(r.remixOfVideoId, r.prompt, options);
    }
    const image = r.imagePath
      ? {
          data: new Uint8Array(await readFile(r.imagePath)),
          contentType: 'image/png',
          filename: `${job.id}.png`,
        }
      : undefined;
    return provider.create(
      { prompt: r.prompt, model: r.model, seconds: r.seconds, size: r.size, ...(image ? { image } : {}) },
      options,
    );
  }

  /**
   * Records the provider's job on ours. When the job was deleted while the create was on its way,
   * the provider's copy is deleted at once and nothing is posted.
   */
  private async recordSubmitted(id: string, video: Video, held: HeldLease): Promise<void> {
    const { ledger, clock, settings, provider, logger } = this.ctx;
    const now = clock.now();
    await ledger.claimVideo(video.id, id);
    const result = await ledger.transition(
      id,
      now,
      (j) => {
        if (j.state === 'waiting')
          return {
            state: video.status === 'in_progress' ? 'rendering' : 'submitted',
            providerVideoId: video.id,
            submittedAt: now,
            progress: video.progress,
            nextPollAt: now + settings.pollInitialMs,
            pollIntervalMs: settings.pollInitialMs,
            notBefore: null,
          };
        if (j.state === 'deleted' && !j.providerVideoId) return { providerVideoId: video.id };
        return undefined;
      },
      held.fence,
    );
    const job = result.job;
    if (job && job.state !== 'deleted' && result.changed) {
      this.lastServedAt.set(requesterKey(job.requester), now);
      await this.hooks.onSubmitted(job);
      return;
    }
    await ledger.store.releaseSlot(PROVIDER_SLOTS, id);
    if (job?.state === 'deleted') {
      logger.info(
        { jobId: id, videoId: video.id },
        'deleted while it was being submitted; deleting the render',
      );
      await deleteAtProvider(provider, video.id).catch((error) =>
        logger.warn({ jobId: id, err: error }, 'could not delete the render yet; cleanup will retry'),
      );
      // The rest of the cleanup runs once this step's lease is released.
      this.deletedInFlight.add(id);
    }
  }

  private async handleSubmitError(
    job: Job,
    error: SoraError,
    held: HeldLease,
    sentAt: number,
  ): Promise<Outcome> {
    const { ledger, clock, logger } = this.ctx;
    const store = ledger.store;
    const now = clock.now();
    const log = logger.child({ jobId: job.id });
    if (error.code === 'rate_limited') {
      // Back-pressure: nothing was created. Every replica waits as long as the provider asked; the
      // next attempt uses a new key (this one's answer, the 429, may be what the provider replays).
      const waitMs = error.retryAfterMs ?? 10_000;
      await store.set(PAUSED_UNTIL, now + waitMs, waitMs);
      await store.returnToWindow(CREATE_WINDOW, sentAt);
      await store.releaseSlot(PROVIDER_SLOTS, job.id);
      await ledger.transition(
        job.id,
        now,
        (j) =>
          j.state === 'waiting'
            ? {
                submitStartedAt: null,
                notBefore: now + waitMs,
                submitKeyGeneration: j.submitKeyGeneration + 1,
              }
            : undefined,
        held.fence,
      );
      log.info({ waitMs }, 'provider is at capacity; job stays queued');
      return 'paused';
    }
    const transient = error.code === 'server' || error.code === 'network' || error.code === 'timeout';
    // A 2xx we could not read may still have started a render: one more look (adopt it from the list,
    // or repeat the same key, which the provider answers with that job), never a blind series.
    const unreadable = error.code === 'invalid_response' && job.submitAttempts < 2;
    if ((transient && job.submitAttempts < MAX_SUBMIT_ATTEMPTS) || unreadable) {
      // The provider may have made the job: keep `submitStartedAt` (the next attempt adopts it or
      // repeats the same key) and keep its slot.
      const backoff = Math.min(5 * 60_000, 2_000 * 2 ** (job.submitAttempts - 1));
      await ledger.transition(
        job.id,
        now,
        (j) => (j.state === 'waiting' ? { notBefore: now + backoff } : undefined),
        held.fence,
      );
      log.warn({ code: error.code, backoff }, 'submission failed; will retry');
      return 'retry';
    }
    await store.releaseSlot(PROVIDER_SLOTS, job.id);
    const code = failureCodeOf(error);
    const failed = await ledger.transition(
      job.id,
      now,
      (j) =>
        j.state === 'waiting'
          ? {
              state: 'failed',
              submitStartedAt: null,
              failure: { code, message: error.message, requestId: error.requestId },
            }
          : undefined,
      held.fence,
    );
    log.warn({ code, providerCode: error.providerCode, requestId: error.requestId }, 'submission rejected');
    if (failed.changed) await this.hooks.onFailed(failed.job);
    return 'failed';
  }
}

export function submitLease(jobId: string): string {
  return `submit:${jobId}`;
}

/** The create's Idempotency-Key: stable across retries, new only after an answer that created nothing. */
export function createKey(job: Job): string {
  return `sora-bot-${job.id}-${job.submitKeyGeneration}`;
}
