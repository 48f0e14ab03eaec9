import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError } from '../../src/media/ffmpeg.js';
import { fitImage } from '../../src/media/fit-image.js';
import { sniffImage } from '../../src/media/image-info.js';
import { makeImage } from './image-fixtures.js';

let dir: string;
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
