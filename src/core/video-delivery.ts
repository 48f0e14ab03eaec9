/**
 * Brings finished videos home: download to DATA_DIR (state `downloading`), then hand the file to the
 * conversation's adapter (state `delivering`) under a lease, and record the posted message
 * (`delivered`). After a crash a job found in `delivering` asks the surface whether the video is
 * already there before posting, so each video lands exactly once.
 */
import { stat } from 'node:fs/promises';
import { isSoraError } from '../sora/errors.js';
import type { CoreContext } from './core-context.js';
import type { Job } from './job.js';
import { toJobView } from './messages.js';
import { resultActions } from './replies.js';
import { SurfaceError } from './surface.js';
import { downloadVariant, videoDir } from './video-download.js';

const MAX_DELIVERY_ATTEMPTS = 6;
const IDLE_MS = 30_000;

export interface DeliveryHooks {
  onDelivered(job: Job): Promise<void>;
  onFailed(job: Job): Promise<void>;
  onPhase(job: Job): Promise<void>;
  /** A delivery attempt ended without finishing (lease busy, retry scheduled): tick again soon. */
  onRetryScheduled(): void;
}

export class VideoDelivery {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly attempts = new Map<string, number>();
  private readonly retryAt = new Map<string, number>();

  constructor(
    private readonly ctx: CoreContext,
    private readonly hooks: DeliveryHooks,
  ) {}

  /** Starts work on every job ready for it, up to the concurrency cap; returns the next wake delay. */
  async tick(): Promise<number> {
    const now = this.ctx.clock.now();
    const ready = (await this.ctx.ledger.active()).filter(
      (j) => (j.state === 'downloading' || j.state === 'delivering') && !this.inFlight.has(j.id),
    );
    for (const job of ready) {
      if (this.inFlight.size >= this.ctx.settings.deliveryConcurrency) break;
      if ((this.retryAt.get(job.id) ?? 0) > now) continue;
      const work = this.process(job)
        .catch((error) => this.ctx.logger.error({ jobId: job.id, err: error }, 'delivery crashed'))
        .finally(() => {
          this.inFlight.delete(job.id);
          if (this.retryAt.has(job.id)) this.hooks.onRetryScheduled();
        });
      this.inFlight.set(job.id, work);
    }
    const waits = [...this.retryAt.values()].map((at) => at - now).filter((ms) => ms > 0);
    return Math.min(IDLE_MS, ...waits);
  }

  get busy(): number {
    return this.inFlight.size;
  }

  /** Waits for the deliveries under way (on shutdown), so none is cut off halfway by a closed store. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async process(job: Job): Promise<void> {
    const { ledger, instanceId, settings, logger } = this.ctx;
    const log = logger.child({ jobId: job.id });
    if (!(await ledger.claimLease(job.id, 'delivery', instanceId, settings.deliveryLeaseMs))) {
      // Another process (or one that died holding it) has the lease: look again when it may be free.
      this.retryAt.set(job.id, this.ctx.clock.now() + Math.min(settings.deliveryLeaseMs, 5_000));
      log.debug({}, 'another process holds the delivery lease');
      return;
    }
    // Renew the lease while a long upload runs, so no other process takes the job over meanwhile.
    const renew = setInterval(
      () =>
        void ledger
          .claimLease(job.id, 'delivery', instanceId, settings.deliveryLeaseMs)
          .catch(() => undefined),
      Math.max(50, settings.deliveryLeaseMs / 3),
    );
    try {
      let current = job;
      if (current.state === 'downloading') current = await this.download(current);
      if (current.state === 'delivering') await this.deliver(current);
    } catch (error) {
      await this.retryOrFail(job, error);
    } finally {
      clearInterval(renew);
      await ledger.releaseLease(job.id, 'delivery', instanceId);
    }
  }

  private async download(job: Job): Promise<Job> {
    const { ledger, clock, provider, settings } = this.ctx;
    const dir = videoDir(settings.dataDir);
    let video: { path: string; bytes: number };
    try {
      video = await downloadVariant(provider, job.providerVideoId!, 'video', dir, job.id);
    } catch (error) {
      if (isSoraError(error) && error.code === 'not_found') {
        const failed = await ledger.save(
          {
            ...job,
            state: 'failed',
            failure: {
              code: 'expired',
              message: 'the video was gone before it was downloaded',
              requestId: error.requestId,
            },
          },
          clock.now(),
        );
        await this.hooks.onFailed(failed);
        return failed;
      }
      throw error;
    }
    let thumbnail: string | null = null;
    try {
      thumbnail = (await downloadVariant(provider, job.providerVideoId!, 'thumbnail', dir, job.id)).path;
    } catch (error) {
      this.ctx.logger.warn({ jobId: job.id, err: error }, 'thumbnail download failed; delivering without it');
    }
    await ledger.store.addToSet('jobs:stored', job.id);
    const saved = await ledger.save(
      { ...job, state: 'delivering', files: { video: video.path, thumbnail } },
      clock.now(),
    );
    await this.hooks.onPhase(saved);
    return saved;
  }

  private async deliver(job: Job): Promise<void> {
    const { ledger, clock, surfaces } = this.ctx;
    const surface = surfaces.forConversation(job.conversation);
    if (!surface) throw new SurfaceError('platform_error', `no adapter is running for ${job.conversation}`);
    const existing = surface.findDelivery ? await surface.findDelivery(job.conversation, job.id) : undefined;
    let ref = existing;
    if (!ref) {
      const videoPath = job.files.video!;
      const view = toJobView(job);
      ref = await surface.deliverVideo({
        conversation: job.conversation,
        videoPath,
        videoBytes: (await stat(videoPath)).size,
        thumbnailPath: job.files.thumbnail,
        message: { kind: 'result', job: view, notes: [], actions: resultActions(view) },
      });
    }
    await ledger.indexMessage(surface.platform, ref, job.id);
    const saved = await ledger.save(
      { ...job, state: 'delivered', deliveredRef: ref, deliveredAt: clock.now(), progress: 100 },
      clock.now(),
    );
    this.attempts.delete(job.id);
    this.retryAt.delete(job.id);
    this.ctx.logger.info({ jobId: job.id, reused: Boolean(existing) }, 'video delivered');
    await this.hooks.onDelivered(saved);
  }

  private async retryOrFail(job: Job, error: unknown): Promise<void> {
    const { ledger, clock, logger } = this.ctx;
    const attempts = (this.attempts.get(job.id) ?? 0) + 1;
    this.attempts.set(job.id, attempts);
    const retryable = error instanceof SurfaceError ? error.retryable : true;
    if (retryable && attempts < MAX_DELIVERY_ATTEMPTS) {
      const delay = Math.min(60_000, 1_000 * 2 ** attempts);
      this.retryAt.set(job.id, clock.now() + delay);
      logger.warn({ jobId: job.id, err: error, attempts, delay }, 'delivery step failed; will retry');
      return;
    }
    const fresh = (await ledger.get(job.id)) ?? job;
    const message =
      error instanceof SurfaceError
        ? error.userMessage
        : error instanceof Error
          ? error.message
          : String(error);
    const failed = await ledger.save(
      { ...fresh, state: 'failed', failure: { code: 'delivery_failed', message, requestId: null } },
      clock.now(),
    );
    logger.error({ jobId: job.id, err: error }, 'delivery failed for good');
    await this.hooks.onFailed(failed);
  }
}
