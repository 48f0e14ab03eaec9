/**
 * Finds the provider's job for a submission whose answer was never recorded (a crash, a 5xx or a
 * timeout after the create left). Used before any new create, and by the cleanup of a job deleted
 * while its submission was interrupted, so a render is neither paid twice nor left running.
 */
import type { Video } from '../sora/video.js';
import type { CoreContext } from './core-context.js';
import type { Job } from './job.js';

/** How far before `submitStartedAt` a provider job may have been created and still match. */
export const ADOPT_WINDOW_S = 120;
const MAX_PAGES = 5;

export async function findInterruptedRender(ctx: CoreContext, job: Job): Promise<Video | undefined> {
  const since = Math.floor((job.submitStartedAt ?? 0) / 1000) - ADOPT_WINDOW_S;
  try {
    let after: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const page = await ctx.provider.listPage({ limit: 100, order: 'desc', ...(after ? { after } : {}) });
      for (const video of page.data) {
        if (video.created_at < since) return undefined;
        if (matchesSubmission(video, job) && (await ctx.ledger.claimVideo(video.id, job.id))) return video;
      }
      if (!page.has_more || !page.last_id) return undefined;
      after = page.last_id;
    }
  } catch (error) {
    ctx.logger.warn({ jobId: job.id, err: error }, 'could not look for an interrupted submission');
  }
  return undefined;
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
