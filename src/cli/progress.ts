/**
 * Shows a job's progress while `--wait` polls: on a terminal one line redrawn in place, elsewhere
 * (CI logs, pipes) a plain line each time the status or percentage changes.
 */
import type { Video } from '../sora/video.js';

export interface ProgressReporter {
  update(video: Video): void;
  /** Ends the redrawn line so what follows starts on a fresh one. */
  finish(): void;
}

const BAR_WIDTH = 24;

export function createProgressReporter(stream: NodeJS.WritableStream, isTTY: boolean): ProgressReporter {
  let last = '';
  let drawn = false;
  return {
    update(video) {
      const state = `${video.status} ${video.progress}%`;
      if (state === last) return;
      last = state;
      if (isTTY) {
        const filled = Math.round((video.progress / 100) * BAR_WIDTH);
        const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
        // \r + "erase line" redraws in place instead of scrolling.
        stream.write(`\r\x1b[2K[${bar}] ${String(video.progress).padStart(3)}% ${video.status} ${video.id}`);
        drawn = true;
      } else {
        stream.write(`${video.id}: ${video.status} ${video.progress}%\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
