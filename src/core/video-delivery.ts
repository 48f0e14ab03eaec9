/**
 * Brings finished videos home: download to DATA_DIR (state `downloading`), then hand the file to the
 * conversation's adapter (state `delivering`) and record what it posted (`delivered`). The whole step
 * runs under the job's `deliver` lease and every record it makes is fenced by that lease, so a second
 * replica never posts the same video and a stalled one cannot record over the one that took over.
 *
 * Exactly once: `deliveryStartedAt` is written before the surface is called and each checkpoint the
 * surface reports (e.g. the Slack file id) is written before it goes on, so after a crash the core asks
 * `findDelivery` about exactly those facts instead of posting again. Delete wins: the job is read again
 * before each side effect, and a delivery that finishes after a delete removes what it posted.
 */
import { stat } from 'node:fs/promises';
import { isSoraError } from '../sora/errors.js';
import type { CoreContext } from './core-context.js';
import { stillOf } from './delivery-still.js';
import { deploymentOf } from './deployment-router.js';
import { HeldLease, untilLapse } from './held-lease.js';
import type { Job } from './job.js';
import { LeaseLostError } from './job-ledger.js';
import { toJobView } from './messages.js';
import { mentionFor } from './notify-settings.js';
import { PostGrace } from './post-grace.js';
import { resultActions } from './replies.js';
import { type DeliveredVideo, SurfaceError } from './surface.js';
import { downloadName, downloadVariant, videoDir } from './video-download.js';

/**
 * How often a replica looks at a delivery another replica holds (two store calls). A holder that dies
 * in the middle of its post keeps the lease for a grace counted from the first look that finds it
 * gone, so that look comes within a quarter second of the death, not up to a second later. The post
 * starts after the download, and a look during the download sees no grace yet, so every look is this
 * soon, not only those during the post.
 */
const DELIVERY_RECHECK_MS = 250;

/** The line under every video the emulator made (all surfaces; the README's Troubleshooting). */
export const STAND_IN_NOTE = 'Emulator stand-in, not a Sora render.';

const MAX_DELIVERY_ATTEMPTS = 6;
const IDLE_MS = 30_000;

export interface DeliveryHooks {
  onDelivered(job: Job): Promise<void>;
  onFailed(job: Job): Promise<void>;
  onPhase(job: Job): Promise<void>;
  /**
   * A delivery attempt ended (delivered, failed, or a retry scheduled) and its place is free: tick
   * again. Called once the place is free, never before: a tick woken by the delivery itself would
   * still count it, and the place would stay empty until something else woke the loop.
   */
  onPlaceFreed(): void;
  /** The job was deleted while it was delivered; what got posted is recorded: clean it up. */
  onDeletedInFlight(jobId: string): void;
}

export function deliverLease(jobId: string): string {
  return `deliver:${jobId}`;
}

export class VideoDelivery {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly attempts = new Map<string, number>();
  private readonly retryAt = new Map<string, number>();
  private readonly deletedInFlight = new Set<string>();
  /** Jobs this replica delivered, reported once their lease is released (`process`). */
  private readonly deliveredInFlight = new Map<string, Job>();

  constructor(
    private readonly ctx: CoreContext,
    private readonly hooks: DeliveryHooks,
  ) {}

  /** Starts work on every job ready for it, up to the concurrency cap; returns the next wake delay. */
  async tick(): Promise<number> {
    const now = this.ctx.clock.now();
    // Ids first (an index read): records are read only for the jobs this tick can start.
    const ready = (await this.ctx.ledger.idsInStates(['downloading', 'delivering'])).filter(
      (id) => !this.inFlight.has(id) && (this.retryAt.get(id) ?? 0) <= now,
    );
    for (const id of ready) {
      if (this.inFlight.size >= this.ctx.settings.deliveryConcurrency) break;
      const work = this.process(id)
        .catch((error) => this.ctx.logger.error({ jobId: id, err: error }, 'delivery crashed'))
        .finally(() => {
          this.inFlight.delete(id);
          this.hooks.onPlaceFreed();
        });
      this.inFlight.set(id, work);
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

  private async process(jobId: string): Promise<void> {
    const { ledger, instanceId, settings, logger } = this.ctx;
    const job = { id: jobId };
    // Repeatable until the post (downloads and records are safe to repeat; each holder downloads to
    // its own file): a replica that dies before it leaves the job to the next look, with no grace.
    const held = await HeldLease.acquire(
      ledger.store,
      deliverLease(job.id),
      instanceId,
      settings.deliveryLeaseMs,
      { repeatable: true },
    );
    if (!held) {
      // Another replica (or one that died holding it) has the job: look again when its lease would
      // lapse, so a dead holder's job is taken over right then.
      const waitMs = await untilLapse(ledger.store, deliverLease(job.id), DELIVERY_RECHECK_MS);
      this.retryAt.set(job.id, this.ctx.clock.now() + waitMs);
      return;
    }
    try {
      // Read again under the lease: the job may have been delivered or deleted since the tick read it.
      let current = await ledger.get(job.id);
      // The size of the video this attempt downloaded; null when it was downloaded before.
      let downloaded: number | null = null;
      if (current?.state === 'downloading')
        ({ job: current, videoBytes: downloaded } = await this.download(current, held));
      if (current?.state === 'delivering') await this.deliver(current, held, downloaded);
      this.attempts.delete(job.id);
      this.retryAt.delete(job.id);
    } catch (error) {
      if (error instanceof LeaseLostError)
        logger.warn({ jobId: job.id }, 'delivery lease lost; another replica has it');
      else await this.retryOrFail(job, error);
    } finally {
      await held.release();
      if (this.deletedInFlight.delete(job.id)) this.hooks.onDeletedInFlight(job.id);
    }
    // Reported once the lease is free: the post is recorded, so a takeover would find nothing left to
    // do, and the status edit (a platform call) is not time in which a replica that died here would
    // keep the job waiting out the grace.
    const delivered = this.deliveredInFlight.get(job.id);
    if (delivered) {
      this.deliveredInFlight.delete(job.id);
      await this.hooks
        .onDelivered(delivered)
        .catch((error) => logger.warn({ jobId: job.id, err: error }, 'could not report the delivery'));
    }
  }

  private async download(
    job: Job,
    held: HeldLease,
  ): Promise<{ job: Job | undefined; videoBytes: number | null }> {
    const fetched = await this.fetchFiles(job, held);
    if (!fetched) return { job: undefined, videoBytes: null };
    const { files, videoBytes } = fetched;
    const saved = await this.ctx.ledger.transition(
      job.id,
      this.ctx.clock.now(),
      // Deleted meanwhile: record the files anyway so the cleanup removes them.
      (j) =>
        j.state === 'downloading'
          ? // Posted right after this write, by this process: it is also the record that the post
            // began (a crash in between finds no facts and posts, which is what it should do).
            { state: 'delivering', files, deliveryStartedAt: this.ctx.clock.now(), deliveryFacts: {} }
          : j.state === 'deleted'
            ? { files, cleanupDoneAt: null }
            : undefined,
      held.fence,
    );
    if (!saved.changed || saved.job.state !== 'delivering') return { job: saved.job, videoBytes };
    await this.hooks.onPhase(saved.job);
    return { job: saved.job, videoBytes };
  }

  /**
   * Streams the video to DATA_DIR. Undefined when the provider no longer has the video (the job is
   * failed). Also used when a replica resumes a delivery whose files were downloaded by another
   * replica's DATA_DIR. The still is not fetched here: see `stillOf` (delivery-still.ts).
   */
  private async fetchFiles(
    job: Job,
    held: HeldLease,
  ): Promise<{ files: Job['files']; videoBytes: number } | undefined> {
    const { ledger, clock, settings } = this.ctx;
    const { provider } = deploymentOf(this.ctx, job);
    let video: { path: string; bytes: number };
    try {
      video = await downloadVariant(
        provider,
        job.providerVideoId!,
        'video',
        videoDir(settings.dataDir),
        downloadName(job.id, held.lease.token),
      );
    } catch (error) {
      if (isSoraError(error) && error.code === 'not_found') {
        const failed = await ledger.transition(
          job.id,
          clock.now(),
          (j) =>
            j.state === 'downloading' || j.state === 'delivering'
              ? {
                  state: 'failed',
                  failure: {
                    code: 'expired',
                    message: 'the video was gone before it was downloaded',
                    requestId: error.requestId,
                  },
                }
              : undefined,
          held.fence,
        );
        if (failed.changed) await this.hooks.onFailed(failed.job);
        return undefined;
      }
      throw error;
    }
    return { files: { video: video.path, thumbnail: null }, videoBytes: video.bytes };
  }

  /** `downloaded`: the size of the video this attempt downloaded, null when resuming an earlier one. */
  private async deliver(job: Job, held: HeldLease, downloaded: number | null): Promise<void> {
    const { ledger, clock, surfaces, logger } = this.ctx;
    const surface = surfaces.forConversation(job.conversation);
    if (!surface) throw new SurfaceError('platform_error', `no adapter is running for ${job.conversation}`);
    let delivered: DeliveredVideo | undefined;
    let uploadedBytes = 0;
    // Resuming (a crash, another replica): was it posted already? Not after our own download.
    if (downloaded === null && job.deliveryStartedAt && surface.findDelivery)
      delivered = await surface.findDelivery(job.conversation, job.id, job.deliveryFacts);
    let current = job;
    if (!delivered) {
      // The size is known from the download, or from the stat that finds an earlier one's file.
      let videoBytes = downloaded;
      if (videoBytes === null) {
        // Downloaded by a replica that died, into a DATA_DIR this process may not share: fetch again.
        const present = current.files.video
          ? await stat(current.files.video).catch(() => undefined)
          : undefined;
        let files = current.files;
        if (present) videoBytes = present.size;
        else {
          const fetched = await this.fetchFiles(current, held);
          if (!fetched) return;
          ({ files, videoBytes } = fetched);
        }
        const started = await ledger.transition(
          job.id,
          clock.now(),
          (j) =>
            j.state === 'delivering'
              ? { deliveryStartedAt: clock.now(), deliveryFacts: {}, files }
              : undefined,
          held.fence,
        );
        if (!started.changed) return;
        current = started.job;
      }
      const view = toJobView(current);
      uploadedBytes = videoBytes;
      const video = {
        jobId: current.id,
        conversation: current.conversation,
        videoPath: current.files.video!,
        videoBytes: uploadedBytes,
        thumbnail: stillOf(this.ctx, current, held),
        message: {
          kind: 'result' as const,
          job: view,
          // Every surface says so under a stand-in: it must never pass for a real render.
          notes: deploymentOf(this.ctx, current).provider.kind === 'emulator' ? [STAND_IN_NOTE] : [],
          actions: resultActions(view),
          mention: await mentionFor(this.ctx, current),
        },
      };
      const grace = new PostGrace(held, surface.findDelivery !== undefined);
      await grace.start();
      delivered = await surface.deliverVideo(
        video,
        grace.progress(async (facts) => {
          const recorded = await ledger.transition(
            job.id,
            clock.now(),
            (j) =>
              j.state === 'delivering' ? { deliveryFacts: { ...j.deliveryFacts, ...facts } } : undefined,
            held.fence,
          );
          // Deleted while uploading: stop before the video becomes visible.
          if (!recorded.changed)
            throw new SurfaceError(
              'platform_error',
              'the video was deleted while it was being posted',
              false,
            );
        }),
      );
      await grace.posted();
    }
    const refs = [delivered.messageRef, ...delivered.otherRefs];
    for (const ref of refs) await ledger.indexMessage(surface.platform, ref, job.id);
    const now = clock.now();
    const result = await ledger.transition(
      job.id,
      now,
      (j) => {
        if (j.state === 'delivering')
          return {
            state: 'delivered',
            deliveredRef: delivered.messageRef,
            deliveredOtherRefs: [...delivered.otherRefs],
            deliveredAt: now,
            progress: 100,
          };
        // Deleted while we posted: record what was posted so the delete (or its cleanup) removes it.
        if (j.state === 'deleted' && !j.deliveredRef)
          return {
            deliveredRef: delivered.messageRef,
            deliveredOtherRefs: [...delivered.otherRefs],
            cleanupDoneAt: null,
          };
        return undefined;
      },
      held.fence,
    );
    if (result.job?.state === 'deleted') {
      logger.info({ jobId: job.id }, 'deleted while it was being posted; removing the post');
      this.deletedInFlight.add(job.id);
      return;
    }
    if (!result.changed) return;
    logger.info({ jobId: job.id }, 'video delivered');
    const { completedAt } = result.job;
    if (completedAt !== null)
      this.ctx.metrics.videoDelivered(surface.platform, now - completedAt, uploadedBytes);
    this.deliveredInFlight.set(job.id, result.job);
  }

  private async retryOrFail(job: Pick<Job, 'id'>, error: unknown): Promise<void> {
    const { ledger, clock, logger } = this.ctx;
    if ((await ledger.get(job.id))?.state === 'deleted') {
      // The delete won (the surface stopped at a checkpoint, or failed): nothing to retry.
      this.attempts.delete(job.id);
      this.retryAt.delete(job.id);
      return;
    }
    const attempts = (this.attempts.get(job.id) ?? 0) + 1;
    this.attempts.set(job.id, attempts);
    const retryable = error instanceof SurfaceError ? error.retryable : true;
    if (retryable && attempts < MAX_DELIVERY_ATTEMPTS) {
      const delay = Math.min(60_000, 1_000 * 2 ** attempts);
      this.retryAt.set(job.id, clock.now() + delay);
      logger.warn({ jobId: job.id, err: error, attempts, delay }, 'delivery step failed; will retry');
      return;
    }
    this.attempts.delete(job.id);
    this.retryAt.delete(job.id);
    const message =
      error instanceof SurfaceError
        ? error.userMessage
        : error instanceof Error
          ? error.message
          : String(error);
    const failed = await ledger.transition(job.id, clock.now(), (j) =>
      j.state === 'downloading' || j.state === 'delivering'
        ? { state: 'failed', failure: { code: 'delivery_failed', message, requestId: null } }
        : undefined,
    );
    logger.error({ jobId: job.id, err: error }, 'delivery failed for good');
    if (failed.changed) await this.hooks.onFailed(failed.job);
  }
}
