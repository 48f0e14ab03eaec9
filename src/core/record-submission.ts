/**
 * Records the provider's job on ours once a create answered (or a lost answer was found at the
 * provider). A compare-and-set: it lands only on a job still waiting, fenced by the submit lease, or,
 * for a replica that adopts a gone holder's render without the lease, only while the job is at the
 * same submission (`submitStartedAt`) it read. When the job was deleted while the create was on its
 * way, the provider's copy is deleted at once, and nothing is posted.
 */
import type { Deployment } from '../sora/pool/deployment-pool.js';
import type { Video } from '../sora/video.js';
import type { Fence } from '../store/store.js';
import type { CoreContext } from './core-context.js';
import { AT_PROVIDER_STATES, type Job } from './job.js';
import { deleteAtProvider } from './provider-outcomes.js';

export type RecordedSubmission =
  | { kind: 'submitted'; job: Job }
  /** Deleted meanwhile: the render is recorded on it and deleted at the provider; clean it up. */
  | { kind: 'deleted' }
  /** Someone else recorded it, or the job moved on: nothing to do. */
  | { kind: 'unchanged' };

export async function recordSubmission(
  ctx: CoreContext,
  id: string,
  video: Video,
  at: { fence: Fence | undefined; deployment: Deployment; submission?: Job | undefined },
): Promise<RecordedSubmission> {
  const { ledger, clock, settings, logger } = ctx;
  const { deployment, submission } = at;
  const now = clock.now();
  await ledger.claimVideo(video.id, id);
  const result = await ledger.transition(
    id,
    now,
    (j) => {
      if (submission && j.submitStartedAt !== submission.submitStartedAt) return undefined;
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
    at.fence,
  );
  const job = result.job;
  if (job && job.state !== 'deleted' && result.changed) return { kind: 'submitted', job };
  // Recorded by another (the lease's old holder back, a replica that adopted it first), or, for an
  // adoption without the lease, a newer submission under way: the slot is the job's own still.
  if (job && (job.state === 'waiting' || AT_PROVIDER_STATES.includes(job.state)))
    return { kind: 'unchanged' };
  await ledger.store.releaseSlot(deployment.keys.slots, id);
  if (job?.state !== 'deleted') return { kind: 'unchanged' };
  logger.info({ jobId: id, videoId: video.id }, 'deleted while it was being submitted; deleting the render');
  await deleteAtProvider(deployment.provider, video.id).catch((error) =>
    logger.warn({ jobId: id, err: error }, 'could not delete the render yet; cleanup will retry'),
  );
  return { kind: 'deleted' };
}
