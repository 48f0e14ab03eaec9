import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError, runFfmpeg } from '../../src/media/ffmpeg.js';
import { fitImage } from '../../src/media/fit-image.js';
import { sniffImage } from '../../src/media/image-info.js';
import { makeImage } from './image-fixtures.js';

let dir: string;

/** The PNG's pixels as 8-bit grey, one byte a pixel, row by row. */
async function greyPixels(png: Uint8Array, name: string): Promise<Uint8Array> {
  const source = join(dir, `${name}.png`);
  const out = join(dir, `${name}.grey`);
  await writeFile(source, png);
  await runFfmpeg(['-y', '-i', source, '-f', 'rawvideo', '-pix_fmt', 'gray', out]);
  return new Uint8Array(await readFile(out));
}

/** The brightest pixel of rows [from, to) of a `width`-wide grey image. */
function brightest(pixels: Uint8Array, width: number, from: number, to: number): number {
  return pixels.subarray(from * width, to * width).reduce((max, v) => Math.max(max, v), 0);
}
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fit-image-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fitImage', () => {
  it.each([
    ['png', 1001, 777, 720, 1280],
    ['jpeg', 333, 999, 1280, 720],
    ['webp-lossy', 720, 1280, 720, 1280],
    ['png', 1919, 1080, 1792, 1024],
    ['jpeg', 7, 5, 720, 1280],
  ] as const)('turns a %s of %ix%i into a PNG of exactly %ix%i', async (format, w, h, width, height) => {
    const out = await fitImage({ bytes: await makeImage(format, w, h) }, width, height);
    expect(sniffImage(out)).toEqual({ type: 'image/png', width, height });
  });

  it('contain keeps the whole picture and pads the frame with black bars; cover fills it', async () => {
    // A 16:9 picture in a 9:16 frame: contain scales it to 720x405 and centres it, so the top and
    // bottom 437 rows are bars; cover scales it to 2276x1280 and crops the sides, no bars.
    const bytes = await makeImage('png', 1600, 900);
    const contain = await fitImage({ bytes }, 720, 1280, { fit: 'contain' });
    const cover = await fitImage({ bytes }, 720, 1280, { fit: 'cover' });
    for (const out of [contain, cover])
      expect(sniffImage(out)).toEqual({ type: 'image/png', width: 720, height: 1280 });
    const padded = await greyPixels(contain, 'contain');
    expect(brightest(padded, 720, 0, 430)).toBeLessThan(8);
    expect(brightest(padded, 720, 1280 - 430, 1280)).toBeLessThan(8);
    expect(brightest(padded, 720, 440, 840)).toBeGreaterThan(100);
    const filled = await greyPixels(cover, 'cover');
    expect(brightest(filled, 720, 0, 100)).toBeGreaterThan(100);
    expect(brightest(filled, 720, 1180, 1280)).toBeGreaterThan(100);
  });

  it.each([
    ['png', 1001, 777, 1280, 720],
    ['jpeg', 7, 5, 720, 1280],
    ['png', 3, 2000, 1280, 720],
  ] as const)(
    'contain turns a %s of %ix%i into a PNG of exactly %ix%i',
    async (format, w, h, width, height) => {
      const out = await fitImage({ bytes: await makeImage(format, w, h) }, width, height, { fit: 'contain' });
      expect(sniffImage(out)).toEqual({ type: 'image/png', width, height });
    },
  );

  it('reads from a file path', async () => {
    const path = join(dir, 'photo.jpg');
    await writeFile(path, await makeImage('jpeg', 640, 480));
    const out = await fitImage({ path }, 1280, 720);
    expect(sniffImage(out)).toEqual({ type: 'image/png', width: 1280, height: 720 });
  });

  it('rejects bytes that are not an image with ffmpeg_failed', async () => {
    const error = await fitImage({ bytes: new TextEncoder().encode('not an image at all') }, 720, 1280).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).code).toBe('ffmpeg_failed');
  });

  it('rejects impossible sizes before running ffmpeg', async () => {
    const bytes = await makeImage('png', 10, 10);
    for (const [w, h] of [
      [0, 720],
      [720, 1.5],
      [100_000, 720],
    ] as const) {
      const error = await fitImage({ bytes }, w, h).catch((e: unknown) => e);
      expect((error as MediaError).code).toBe('invalid_argument');
    }
  });
});
