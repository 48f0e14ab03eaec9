/**
 * The still of a delivered video, for a surface that asks for it (the playground's poster, Slack's
 * fallback when it refuses the video): downloaded once per delivery and recorded on the job (fenced)
 * before it is handed over, so the playground can serve it and a delete removes it. Only some surfaces
 * show it, so fetching it with every video was a second download, file and write per delivery for
 * nothing; a still that cannot be had is null and the video goes out without it.
 */
import { stat } from 'node:fs/promises';
import type { CoreContext } from './core-context.js';
import { deploymentOf } from './deployment-router.js';
import type { HeldLease } from './held-lease.js';
import type { Job } from './job.js';
import { downloadName, downloadVariant, videoDir } from './video-download.js';

/** The still on demand: the first call fetches it, later ones get the same answer. */
export function stillOf(ctx: CoreContext, job: Job, held: HeldLease): () => Promise<string | null> {
  let still: Promise<string | null> | undefined;
  return () => {
    still ??= fetchStill(ctx, job, held);
    return still;
  };
}

async function fetchStill(ctx: CoreContext, job: Job, held: HeldLease): Promise<string | null> {
  const { ledger, clock, settings, logger } = ctx;
  const known = job.files.thumbnail;
  if (known && (await stat(known).catch(() => undefined))) return known;
  let path: string;
  try {
    const { provider } = deploymentOf(ctx, job);
    const dir = videoDir(settings.dataDir);
    ({ path } = await downloadVariant(
      provider,
      job.providerVideoId!,
      'thumbnail',
      dir,
      downloadName(job.id, held.lease.token),
    ));
  } catch (error) {
    logger.warn({ jobId: job.id, err: error }, 'thumbnail download failed; delivering without it');
    return null;
  }
  const recorded = await ledger.transition(
    job.id,
    clock.now(),
    (j) =>
      j.state === 'delivering'
        ? { files: { ...j.files, thumbnail: path } }
        : // Deleted meanwhile: recorded anyway, so the cleanup removes it.
          j.state === 'deleted'
          ? { files: { ...j.files, thumbnail: path }, cleanupDoneAt: null }
          : undefined,
    held.fence,
  );
  return recorded.job?.state === 'delivering' ? path : null;
}
