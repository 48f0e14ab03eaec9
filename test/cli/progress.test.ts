/** The --wait progress display: one redrawn line on a terminal, plain lines (on change only) elsewhere. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressReporter } from '../../src/cli/progress.js';
import type { Video } from '../../src/sora/video.js';

const video = (status: Video['status'], progress: number): Video => ({
  id: 'video_1',
  object: 'video',
  model: 'sora-2',
  status,
  progress,
  created_at: 0,
  completed_at: null,
  expires_at: null,
  prompt: 'a fox',
  size: '720x1280',
  seconds: '4',
  remixed_from_video_id: null,
  error: null,
});

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

describe('createProgressReporter', () => {
  it('redraws one line in place on a TTY and ends it on finish', () => {
    const out = capture();
    const progress = createProgressReporter(out.stream, true);
    progress.update(video('queued', 0));
    progress.update(video('in_progress', 50));
    progress.update(video('in_progress', 50));
    progress.update(video('completed', 100));
    progress.finish();
    const frames = out.text().split('\r\x1b[2K').filter(Boolean);
    expect(frames).toEqual([
      `[${'-'.repeat(24)}]   0% queued video_1`,
      `[${'#'.repeat(12)}${'-'.repeat(12)}]  50% in_progress video_1`,
      `[${'#'.repeat(24)}] 100% completed video_1\n`,
    ]);
  });

  it('prints a plain line per change elsewhere, with nothing to end', () => {
    const out = capture();
    const progress = createProgressReporter(out.stream, false);
    progress.update(video('queued', 0));
    progress.update(video('queued', 0));
    progress.update(video('in_progress', 40));
    progress.finish();
    expect(out.text()).toBe('video_1: queued 0%\nvideo_1: in_progress 40%\n');
  });
});
