/**
 * A video's still (the provider's thumbnail) is downloaded only for a surface that asks for it: a
 * delivery that never shows it costs one content download, not two. A surface that asks gets it once,
 * however often it asks, recorded on the job before it is handed over (the playground serves it from
 * the record); a still the provider cannot give is null and the video still goes out.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/core/job.js';
import type { DeliveredVideo, DeliveryProgress, VideoDelivery } from '../../src/core/surface.js';
import type { ContentVariant } from '../../src/sora/video.js';
import { CoreHarness } from '../support/core-harness.js';
import { RecordingSurface } from '../support/recording-surface.js';

/** Asks for the still three times per delivery (two at once); notes what it got and what the job said. */
class StillAskingSurface extends RecordingSurface {
  readonly stills: (string | null)[][] = [];
  readonly recordedThen: (string | null)[] = [];
  readJob: ((id: string) => Promise<Job | undefined>) | undefined;

  override async deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo> {
    const asked = await Promise.all([delivery.thumbnail(), delivery.thumbnail()]);
    this.stills.push([...asked, await delivery.thumbnail()]);
    this.recordedThen.push((await this.readJob?.(delivery.jobId))?.files.thumbnail ?? null);
    return super.deliverVideo(delivery, progress);
  }
}

let harness: CoreHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Content requests the emulator served, by variant (counted at the provider, the wire's far side). */
function countingContent(): {
  served: ContentVariant[];
  contentOverride: (id: string, variant: ContentVariant) => undefined;
} {
  const served: ContentVariant[] = [];
  return {
    served,
    // Counts, then lets the emulator render and serve the real file.
    contentOverride: (_id, variant) => {
      served.push(variant);
      return undefined;
    },
  };
}

function videoFiles(dataDir: string): string[] {
  const dir = join(dataDir, 'videos');
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe('the still of a delivered video', () => {
  it('is never downloaded for a surface that does not show it', async () => {
    const counting = countingContent();
    harness = await CoreHarness.start({
      emulator: { contentOverride: counting.contentOverride },
    });
    const jobId = await harness.sendJob('/sora a paper boat on a rainy street');
    const job = await harness.waitFor(jobId, ['delivered']);
    expect(counting.served).toEqual(['video']);
    // Named after the job and the delivery lease's token (each holder writes its own file).
    expect(job.files.video).toMatch(new RegExp(`^${join(harness.dataDir, 'videos', jobId)}\\.\\d+\\.mp4$`));
    expect(job.files.thumbnail).toBeNull();
    // Written under its final name: no `.part` and no still beside it.
    expect(videoFiles(harness.dataDir)).toEqual([basename(job.files.video!)]);
  });

  it('is downloaded once for a surface that asks, and recorded on the job before it is handed over', async () => {
    const counting = countingContent();
    const surface = new StillAskingSurface();
    harness = await CoreHarness.start({
      surface,
      emulator: { contentOverride: counting.contentOverride },
    });
    const core = harness.core;
    surface.readJob = (id) => core.jobRecord(id);
    const jobId = await harness.sendJob('/sora a lighthouse at dusk');
    const job = await harness.waitFor(jobId, ['delivered']);
    // The still is named as the video is, by the same holder.
    const still = job.files.video!.replace(/\.mp4$/, '.webp');
    expect(basename(still)).toMatch(new RegExp(`^${jobId}\\.\\d+\\.webp$`));
    expect(counting.served.sort()).toEqual(['thumbnail', 'video']);
    expect(surface.stills).toEqual([[still, still, still]]);
    expect(surface.recordedThen).toEqual([still]);
    expect(job.files.thumbnail).toBe(still);
    expect(existsSync(still)).toBe(true);
  });

  it('is null when it cannot be had, and the video goes out without it', async () => {
    const surface = new StillAskingSurface();
    harness = await CoreHarness.start({
      surface,
      emulator: {
        // The still's body breaks off after its headers; the video is served whole.
        contentOverride: (_id, variant) =>
          variant === 'thumbnail'
            ? new Readable({
                read() {
                  this.destroy(new Error('connection reset'));
                },
              })
            : undefined,
      },
    });
    const jobId = await harness.sendJob('/sora a fox in the snow');
    const job = await harness.waitFor(jobId, ['delivered']);
    expect(surface.stills).toEqual([[null, null, null]]);
    expect(job.files.thumbnail).toBeNull();
    expect(surface.results()).toHaveLength(1);
    expect(videoFiles(harness.dataDir)).toEqual([basename(job.files.video!)]);
  });
});
