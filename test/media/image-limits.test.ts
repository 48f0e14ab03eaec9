/**
 * Hostile images: a small file that declares a huge canvas (a decompression bomb) is refused from its
 * header before any decoder runs, proved with a trap "ffmpeg" that records every start; ffmpeg is told
 * the sniffed format; and ffmpeg runs share one process-wide limit with a queue.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareReferenceImage } from '../../src/core/reference-image.js';
import { ffmpegLoad, runFfmpeg, setFfmpegConcurrency } from '../../src/media/ffmpeg.js';
import { imageTooLarge, MAX_IMAGE_PIXELS } from '../../src/media/image-info.js';
import { SORA_2 } from '../../src/sora/capabilities.js';

const dir = mkdtempSync(join(tmpdir(), 'sora-image-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A shell script standing in for ffmpeg: appends its arguments and start/end times to a log. */
function trapFfmpeg(name: string, sleepSeconds = 0): { path: string; log: string } {
  const path = join(dir, name);
  const log = join(dir, `${name}.log`);
  writeFileSync(
    path,
    `#!/bin/sh\necho "start $(date +%s%N) $*" >> '${log}'\nsleep ${sleepSeconds}\necho "end $(date +%s%N)" >> '${log}'\nexit 1\n`,
  );
  chmodSync(path, 0o755);
  return { path, log };
}

/** A valid PNG whose IHDR declares `width` x `height`, with a few rows of real zlib data. */
function pngOfCanvas(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, 'ascii'), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(64 * 1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function attachment(bytes: Uint8Array, filename = 'photo.png') {
  return { filename, contentType: 'image/png', bytes: bytes.length, fetch: async () => bytes };
}

describe('image limits', () => {
  it('refuses a decompression bomb from its header, before any decoder starts', async () => {
    const trap = trapFfmpeg('ffmpeg-bomb');
    for (const [w, h] of [
      [20_000, 20_000],
      [8193, 100],
      [7000, 7000],
    ] as const) {
      const result = await prepareReferenceImage(attachment(pngOfCanvas(w, h)), {
        size: '720x1280',
        caps: SORA_2,
        dir,
        name: `bomb-${w}`,
        ffmpegPath: trap.path,
      });
      expect(result.ok).toBe(false);
      if (!result.ok)
        expect(result.message).toMatch(
          /^`photo.png` is .*(pixels a side|megapixels)\. Attach a smaller picture\.$/,
        );
    }
    expect(existsSync(trap.log)).toBe(false);
    expect(imageTooLarge({ width: 6000, height: 6000 })).toBeUndefined();
    expect(6000 * 6000).toBeLessThan(MAX_IMAGE_PIXELS);
  });

  it('tells ffmpeg the sniffed format instead of letting it probe', async () => {
    const trap = trapFfmpeg('ffmpeg-format');
    const result = await prepareReferenceImage(attachment(pngOfCanvas(640, 480), 'picture.jpg'), {
      size: '720x1280',
      caps: SORA_2,
      dir,
      name: 'format',
      ffmpegPath: trap.path,
    });
    expect(result.ok).toBe(false); // the trap fails on purpose
    expect(readFileSync(trap.log, 'utf8')).toMatch(/-f png_pipe -i /);
  });

  it('runs at most the process-wide limit of ffmpeg at once, the rest queued in order', async () => {
    const trap = trapFfmpeg('ffmpeg-slow', 0.3);
    setFfmpegConcurrency(2);
    try {
      const runs = Array.from({ length: 6 }, (_, i) =>
        runFfmpeg([`run${i}`], { ffmpegPath: trap.path }).catch(() => 'failed'),
      );
      // Slots are taken synchronously when a run is asked for: two run, four wait (no timing involved).
      expect(ffmpegLoad()).toEqual({ running: 2, queued: 4 });
      await Promise.all(runs);
      expect(ffmpegLoad()).toEqual({ running: 0, queued: 0 });
      const events = readFileSync(trap.log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(' '))
        .map(([kind, at]) => ({ kind, at: BigInt(at!) }))
        .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      let running = 0;
      let most = 0;
      for (const e of events) {
        running += e.kind === 'start' ? 1 : -1;
        most = Math.max(most, running);
      }
      expect(most).toBe(2);
      // Queued in order: run k (k >= 2) gets the slot the (k-1)th finished run frees, so at least k-1
      // runs have ended before it starts. (Which of two runs spawned together logs first is up to the
      // machine, so start order alone is not the test.)
      let ended = 0;
      const endedBeforeStart = new Map<string, number>();
      for (const line of readFileSync(trap.log, 'utf8').trim().split('\n')) {
        if (line.startsWith('end ')) ended += 1;
        else endedBeforeStart.set(/run\d/.exec(line)![0], ended);
      }
      expect([...endedBeforeStart.keys()].sort()).toEqual(['run0', 'run1', 'run2', 'run3', 'run4', 'run5']);
      for (let k = 2; k < 6; k++) expect(endedBeforeStart.get(`run${k}`)).toBeGreaterThanOrEqual(k - 1);
    } finally {
      setFfmpegConcurrency(4);
    }
  });
});
