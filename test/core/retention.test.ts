/**
 * Retention covers every file under DATA_DIR: besides the videos kept for VIDEO_RETENTION_DAYS, videos
 * no job records (a download a crash cut off), the `.part` files of earlier versions and reference
 * images no unfinished job needs are removed once they are an hour old; what a job still needs, and
 * anything fresh, stays.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { CoreHarness } from '../support/core-harness.js';

let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

it('sweeps stray files under DATA_DIR and keeps what jobs need', async () => {
  h = await CoreHarness.start({ settings: { maxConcurrent: 1 } });
  const delivered = await h.sendJob('/sora a kept video');
  const job = await h.waitFor(delivered, ['delivered']);
  const videos = join(h.dataDir, 'videos');
  const inputs = join(h.dataDir, 'inputs');
  mkdirSync(inputs, { recursive: true });
  const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
  const old = (path: string) => {
    writeFileSync(path, 'x');
    utimesSync(path, twoHoursAgo, twoHoursAgo);
    return path;
  };
  old(join(videos, 'zzzzzz.mp4.part'));
  old(join(videos, 'qqqqqq.mp4'));
  // Another holder's download of the same job (a delivery taken over): its job records another file.
  old(join(videos, `${delivered}.999.mp4`));
  old(join(inputs, 'abandoned.png'));
  writeFileSync(join(videos, 'fresh1.mp4.part'), 'x');
  writeFileSync(join(inputs, 'fresh.png'), 'x');
  // The kept video is old on disk too: its job still records it.
  utimesSync(job.files.video!, twoHoursAgo, twoHoursAgo);
  h.core.wake();
  await h.until(async () => !(await readdir(inputs)).includes('abandoned.png'));
  await h.until(async () => !(await readdir(videos)).includes('zzzzzz.mp4.part'));
  expect((await readdir(videos)).sort()).toEqual(
    // No still: this chat never asked for one.
    ['fresh1.mp4.part', basename(job.files.video!)].sort(),
  );
  expect(await readdir(inputs)).toEqual(['fresh.png']);
});
