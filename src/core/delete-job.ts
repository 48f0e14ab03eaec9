/**
 * `/sora delete ID`, for the requester or an admin. Delete always wins: `deleted` is written with
 * compare-and-set whatever step the job is in, and every other step re-reads the job before its next
 * side effect and gives up (a submit in flight deletes its render as soon as the provider answers; a
 * delivery in flight removes what it posted). Then the cleanup removes the provider's copy, our files
 * and the posted messages. The cleanup is resumable: a deleted job stays in the ledger's cleanup list
 * until all of that is done, and `DeletionCleanup` retries it (after a crash, on another replica).
 */
import { rm } from 'node:fs/promises';
import { findInterruptedRender } from './adopt-render.js';
import type { CoreContext } from './core-context.js';
import { deploymentOf, releaseSlots } from './deployment-router.js';
import { HeldLease } from './held-lease.js';
import { isTerminal, type Job } from './job.js';
import type { NoticeMessage } from './messages.js';
import { canDelete } from './policy.js';
import { deleteAtProvider } from './provider-outcomes.js';
import { deletedNote, noSuchVideo, notice } from './replies.js';
import type { Requester } from './requester.js';
import { removeJobFiles } from './retention-sweeper.js';
import { submitLease } from './submission-scheduler.js';

const CLEANUP_LEASE_MS = 60_000;
/** The list is one index read when empty, so it is looked at often: a failed inline cleanup is retried soon. */
const CLEANUP_EVERY_MS = 5_000;
/** A cleanup that could not finish is tried again this soon (an outage, a step racing it). */
const CLEANUP_RETRY_MS = 5_000;

export async function deleteJob(
  ctx: CoreContext,
  requester: Requester,
  job: Job,
  /** Updates the status message once the job is marked deleted. */
  reportDeleted: (job: Job) => Promise<void>,
): Promise<NoticeMessage> {
  const { ledger, clock, logger } = ctx;
  if (!canDelete(requester, job))
    return notice(`Only the person who made \`${job.id}\` or an admin can delete it.`, 'warning');
  const now = clock.now();
  let wasActive = false;
  const result = await ledger.transition(job.id, now, (j) => {
    if (j.state === 'deleted') return undefined;
    wasActive = !isTerminal(j.state);
    return {
      state: 'deleted',
      deletedAt: now,
      deletedBy: requester.displayName ?? requester.user,
      cleanupDoneAt: null,
    };
  });
  if (!result.job) return noSuchVideo(job.id);
  if (!result.changed) return notice(`\`${job.id}\` is already deleted.`, 'info');
  logger.info({ jobId: job.id }, 'job deleted');
  await cleanupDeletedJob(ctx, job.id);
  if (wasActive || result.job.statusRef) await reportDeleted(result.job);
  return notice(`Deleted \`${job.id}\`.`, 'success');
}

/**
 * Removes what a deleted job left behind. Returns true when nothing is left (the job leaves the
 * cleanup list), false when something must be tried again later.
 */
export async function cleanupDeletedJob(ctx: CoreContext, jobId: string): Promise<boolean> {
  const { ledger, clock, logger, instanceId } = ctx;
  const held = await HeldLease.acquire(ledger.store, `cleanup:${jobId}`, instanceId, CLEANUP_LEASE_MS);
  if (!held) {
    logger.debug({ jobId }, 'another process is cleaning up this deleted job');
    return false;
  }
  try {
    const job = await ledger.get(jobId);
    if (job?.state !== 'deleted' || job.cleanupDoneAt !== null) return true;
    // The provider copy is at the deployment the job was sent to.
    const { provider } = deploymentOf(ctx, job);
    let videoId = job.providerVideoId;
    if (job.submitStartedAt && !videoId) {
      // A submission is on its way: its submitter deletes the render when the provider answers.
      if (await ledger.store.leaseHolder(submitLease(jobId))) return false;
      // Its process died mid-create: find the render it may have started.
      videoId = (await findInterruptedRender(ctx, job, provider))?.id ?? null;
    }
    // Each part on its own: an outage at the provider must not keep the post up, nor the reverse.
    let complete = true;
    const attempt = async (what: string, part: () => Promise<unknown>) => {
      try {
        await part();
      } catch (error) {
        complete = false;
        logger.warn({ jobId, err: error }, `deleted job: could not remove ${what} yet; will retry`);
      }
    };
    // What people see goes first; then the provider's copy and our files.
    const surface = ctx.surfaces.forConversation(job.conversation);
    if (job.deliveredRef && surface?.markDeleted)
      await attempt('the posted video', () =>
        surface.markDeleted!(
          job.conversation,
          { messageRef: job.deliveredRef!, otherRefs: job.deliveredOtherRefs },
          deletedNote(job),
        ),
      );
    let providerCopyGone = true;
    if (videoId)
      await attempt('the provider copy', async () => {
        providerCopyGone = false;
        await deleteAtProvider(provider, videoId!);
        providerCopyGone = true;
      });
    // The render's slot is free once the provider has no copy left to render.
    if (providerCopyGone) await releaseSlots(ctx, jobId);
    await attempt('the files', async () => {
      await removeJobFiles(job.files);
      if (job.request.imagePath) await rm(job.request.imagePath, { force: true });
    });
    if (!complete) return false;
    const done = await ledger.transition(
      jobId,
      clock.now(),
      // Only if nothing new was recorded meanwhile (a delivery that finished after we read the job).
      (j) =>
        j.state === 'deleted' &&
        j.cleanupDoneAt === null &&
        j.deliveredRef === job.deliveredRef &&
        (j.files.video === null || j.files.video === job.files.video) &&
        (j.providerVideoId === job.providerVideoId || j.providerVideoId === videoId)
          ? { cleanupDoneAt: clock.now(), providerVideoId: videoId, files: { video: null, thumbnail: null } }
          : undefined,
      held.fence,
    );
    if (!done.changed) logger.debug({ jobId }, 'deleted job changed during its cleanup; will look again');
    return done.changed;
  } catch (error) {
    logger.warn({ jobId, err: error }, 'cleanup of a deleted job failed; will retry');
    return false;
  } finally {
    await held.release();
  }
}

/** Retries unfinished cleanups (a crash mid-delete, a provider or platform error during one). */
export class DeletionCleanup {
  constructor(private readonly ctx: CoreContext) {}

  async tick(): Promise<number> {
    let unfinished = 0;
    for (const job of await this.ctx.ledger.pendingCleanup())
      if (!(await cleanupDeletedJob(this.ctx, job.id))) unfinished++;
    return unfinished > 0 ? CLEANUP_RETRY_MS : CLEANUP_EVERY_MS;
  }
}
