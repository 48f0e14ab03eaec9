/**
 * Removes stored videos after VIDEO_RETENTION_DAYS. The ledger keeps the job (its history, its id);
 * only the files go. It also sweeps what no job accounts for, so DATA_DIR cannot grow without bound:
 * videos and stills no job records (a crash in the middle of a download or between the download and
 * its record; the `.part` files of earlier versions), and reference images no unfinished job needs
 * any more. A file younger than STRAY_AGE_MS is left alone: it may belong to a download or a command
 * under way (an active download's file is written continuously, so its mtime stays fresh).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CoreContext } from './core-context.js';
import { videoDir } from './video-download.js';

const SWEEP_EVERY_MS = 60 * 60 * 1000;
export const STRAY_AGE_MS = 60 * 60 * 1000;

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
    const removed = await this.sweepStrayFiles(now);
    if (removed > 0) logger.info({ removed }, 'removed files no job needs');
    return SWEEP_EVERY_MS;
  }

  /** Removes stray files under DATA_DIR/videos and DATA_DIR/inputs; returns how many. */
  async sweepStrayFiles(now: number): Promise<number> {
    const { ledger, settings } = this.ctx;
    const keep = new Set<string>();
    for (const job of await ledger.stored()) {
      if (job.files.video) keep.add(job.files.video);
      if (job.files.thumbnail) keep.add(job.files.thumbnail);
    }
    for (const job of await ledger.active()) if (job.request.imagePath) keep.add(job.request.imagePath);
    let removed = 0;
    for (const dir of [videoDir(settings.dataDir), join(settings.dataDir, 'inputs')]) {
      for (const name of await listFiles(dir)) {
        const path = join(dir, name);
        if (keep.has(path)) continue;
        const info = await stat(path).catch(() => undefined);
        if (!info?.isFile() || now - info.mtimeMs < STRAY_AGE_MS) continue;
        // A video file whose job still records it (a resumed delivery on another replica's files).
        const jobId = basename(name).split('.')[0] ?? '';
        const job = dir === videoDir(settings.dataDir) && jobId ? await ledger.get(jobId) : undefined;
        if (job && (job.files.video === path || job.files.thumbnail === path)) continue;
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

export async function removeJobFiles(files: {
  video: string | null;
  thumbnail: string | null;
}): Promise<void> {
  for (const path of [files.video, files.thumbnail]) if (path) await rm(path, { force: true });
}
