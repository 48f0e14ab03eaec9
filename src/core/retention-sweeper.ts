/**
 * Removes stored videos after VIDEO_RETENTION_DAYS. The ledger keeps the job (its history, its id);
 * only the files go.
 */
import { rm } from 'node:fs/promises';
import type { CoreContext } from './core-context.js';

const SWEEP_EVERY_MS = 60 * 60 * 1000;

export class RetentionSweeper {
  constructor(private readonly ctx: CoreContext) {}

  async tick(): Promise<number> {
    const { ledger, clock, settings, logger } = this.ctx;
    const now = clock.now();
    for (const job of await ledger.stored()) {
      // Deleted jobs' files are the deletion cleanup's (delete-job.ts); unfinished jobs still need theirs.
      if (job.state !== 'delivered' && job.state !== 'failed') continue;
      const since = job.deliveredAt ?? job.updatedAt;
      if (job.state === 'delivered' && since + settings.retentionMs > now) continue;
      await removeJobFiles(job.files);
      // Leaves the ledger's stored list with this write.
      await ledger.transition(job.id, now, (j) =>
        j.files.video === job.files.video
          ? { files: { video: null, thumbnail: null }, filesRemovedAt: now }
          : undefined,
      );
      logger.info({ jobId: job.id }, 'stored video removed after the retention period');
    }
    return SWEEP_EVERY_MS;
  }
}

export async function removeJobFiles(files: {
  video: string | null;
  thumbnail: string | null;
}): Promise<void> {
  for (const path of [files.video, files.thumbnail]) if (path) await rm(path, { force: true });
}
