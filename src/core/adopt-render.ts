/**
 * Finds the provider's job for a submission whose answer was never recorded (a crash, a 5xx or a
 * timeout after the create left), at the deployment it was sent to. Used before any new create, and by
 * the cleanup of a job deleted while its submission was interrupted, so a render is neither paid twice
 * nor left running.
 */
import type { Deployment } from '../sora/pool/deployment-pool.js';
import type { VideoProvider } from '../sora/provider.js';
import type { Video } from '../sora/video.js';
import type { CoreContext } from './core-context.js';
import { deploymentOf } from './deployment-router.js';
import type { Job } from './job.js';

/** How far before `submitStartedAt` a provider job may have been created and still match. */
export const ADOPT_WINDOW_S = 120;
const MAX_PAGES = 5;

export async function findInterruptedRender(
  ctx: CoreContext,
  job: Job,
  provider: VideoProvider = deploymentOf(ctx, job).provider,
): Promise<Video | undefined> {
  return (await lookForInterruptedRender(ctx, job, provider)).video;
}

/**
 * Like findInterruptedRender, and says whether the answer is certain: `unknown` when the deployment
 * could not be asked (it may hold the render), so the job must not be sent anywhere else yet.
 */
export async function lookForInterruptedRender(
  ctx: CoreContext,
  job: Job,
  provider: VideoProvider,
): Promise<{ video?: Video; unknown: boolean }> {
  const since = Math.floor((job.submitStartedAt ?? 0) / 1000) - ADOPT_WINDOW_S;
  try {
    let after: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const page = await provider.listPage({ limit: 100, order: 'desc', ...(after ? { after } : {}) });
      for (const video of page.data) {
        if (video.created_at < since) return { unknown: false };
        if (matchesSubmission(video, job) && (await ctx.ledger.claimVideo(video.id, job.id)))
          return { video, unknown: false };
      }
      if (!page.has_more || !page.last_id) return { unknown: false };
      after = page.last_id;
    }
    // Pages beyond the search's reach: it may be further back.
    return { unknown: true };
  } catch (error) {
    ctx.logger.warn({ jobId: job.id, err: error }, 'could not look for an interrupted submission');
    return { unknown: true };
  }
}

/** What a look at a gone submitter's job found: its render, and when the lease's grace ends. */
export interface GoneSubmitterLook {
  render?: { job: Job; video: Video; deployment: Deployment };
  /** LeaseHolder.graceEndsAt: when a new create may start, if nothing landed by then. */
  graceEndsAt: number | null;
}

/**
 * The render of a job whose create was under way when its submitter's process ended. On Redis the
 * submit lease then still binds for PRESENCE_GRACE_MS (the holder may only be reconnecting, and a new
 * create before the grace ends could pay twice), but only a new create needs that wait: a create that
 * landed is what the holder would have recorded, so it can be adopted at once, by a compare-and-set on
 * the submission it belongs to. Undefined when the lease's holder is not gone; no `render` when
 * nothing landed (yet).
 */
export async function renderOfGoneSubmitter(
  ctx: CoreContext,
  jobId: string,
  lease: string,
): Promise<GoneSubmitterLook | undefined> {
  const holder = await ctx.ledger.store.leaseHolder(lease);
  if (!holder?.gone) return undefined;
  const { graceEndsAt } = holder;
  const job = await ctx.ledger.get(jobId);
  if (job?.state !== 'waiting' || job.submitStartedAt === null) return { graceEndsAt };
  const deployment = ctx.pool.get(job.deployment);
  if (!deployment) return { graceEndsAt };
  const { video } = await lookForInterruptedRender(ctx, job, deployment.provider);
  return video ? { render: { job, video, deployment }, graceEndsAt } : { graceEndsAt };
}

/**
 * A provider job matches by what the create sent. Providers may omit the prompt from list objects;
 * size, length and remix source must then match alone (the video claim keeps one provider job from
 * being adopted by two of ours).
 */
function matchesSubmission(video: Video, job: Job): boolean {
  const r = job.request;
  if (video.prompt != null && video.prompt !== r.prompt) return false;
  if (video.size !== r.size || video.seconds !== r.seconds) return false;
  if (r.kind === 'remix') return video.remixed_from_video_id === r.remixOfVideoId;
  return !video.remixed_from_video_id;
}
