/**
 * Real images made with ffmpeg (the one the project resolves), for tests of sniffing, fitting and
 * image-to-video. Not a test file: imported by test/media and test/sora tests.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFfmpeg } from '../../src/media/ffmpeg.js';

export type FixtureFormat =
  | 'png'
  | 'jpeg'
  | 'webp-lossy'
  | 'webp-lossless'
  | 'webp-alpha'
  | 'webp-animated'
  | 'gif';

interface Encoder {
  /** The lavfi source graph; default `testsrc` (any size, unlike testsrc2 which rounds to even). */
  graph?: (size: string) => string;
  args: string[];
  frames?: number;
}

const ENCODERS: Record<FixtureFormat, Encoder> = {
  png: { args: ['-c:v', 'png', '-f', 'image2'] },
  jpeg: { args: ['-c:v', 'mjpeg', '-f', 'image2'] },
  'webp-lossy': { args: ['-c:v', 'libwebp', '-f', 'webp'] },
  'webp-lossless': { args: ['-c:v', 'libwebp', '-lossless', '1', '-f', 'webp'] },
  // Real transparency makes libwebp write the extended (VP8X) container.
  'webp-alpha': {
    graph: (size) => `color=c=red@0.5:size=${size},format=rgba`,
    args: ['-c:v', 'libwebp', '-f', 'webp'],
  },
  'webp-animated': { args: ['-c:v', 'libwebp_anim', '-f', 'webp'], frames: 2 },
  gif: { args: ['-f', 'gif'] },
};

/** Encodes a `width` x `height` test pattern in `format` and returns its bytes. */
export async function makeImage(format: FixtureFormat, width: number, height: number): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'sora-fixture-'));
  try {
    const encoder = ENCODERS[format];
    const out = join(dir, 'image');
    const size = `${width}x${height}`;
    const graph = encoder.graph?.(size) ?? `testsrc=size=${size}:rate=2`;
    await runFfmpeg([
      '-y',
      '-f',
      'lavfi',
      '-i',
      graph,
      '-frames:v',
      String(encoder.frames ?? 1),
      ...encoder.args,
      out,
    ]);
    return new Uint8Array(await readFile(out));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
