/**
 * Removes stored videos after VIDEO_RETENTION_DAYS. The ledger keeps the job (its history, its id);
 * only the files go.
 */
import { rm } from 'node:fs/promises';
import type { CoreContext } from './core-context.js';

const SWEEP_EVERY_MS = 60 * 60 * 1000;
const STORED = 'jobs:stored';

export class RetentionSweeper {
  constructor(private readonly ctx: CoreContext) {}

  async tick(): Promise<number> {
    const { ledger, clock, settings, logger } = this.ctx;
    const now = clock.now();
    for (const id of await ledger.store.members(STORED)) {
      const job = await ledger.get(id);
      if (!job) {
        await ledger.store.removeFromSet(STORED, id);
        continue;
      }
      const since = job.deliveredAt ?? job.updatedAt;
      const expired =
        job.state === 'deleted' || job.state === 'failed' || since + settings.retentionMs <= now;
      if (!expired || !(job.state === 'delivered' || job.state === 'failed' || job.state === 'deleted'))
        continue;
      await removeJobFiles(job.files);
      await ledger.save({ ...job, files: { video: null, thumbnail: null }, filesRemovedAt: now }, now);
      await ledger.store.removeFromSet(STORED, id);
      logger.info({ jobId: id }, 'stored video removed after the retention period');
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
