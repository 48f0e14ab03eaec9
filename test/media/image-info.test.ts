import { describe, expect, it } from 'vitest';
import { sniffImage, sniffImageType } from '../../src/media/image-info.js';
import { makeImage } from './image-fixtures.js';

describe('sniffImage on real files made by ffmpeg', () => {
  it.each([
    ['png', 'image/png', 321, 123],
    ['jpeg', 'image/jpeg', 321, 123],
    ['webp-lossy', 'image/webp', 321, 123],
    ['webp-lossless', 'image/webp', 321, 123],
    ['webp-alpha', 'image/webp', 321, 123],
    ['png', 'image/png', 720, 1280],
    ['jpeg', 'image/jpeg', 1280, 720],
  ] as const)('%s %#: reads %s %ix%i', async (format, type, width, height) => {
    const bytes = await makeImage(format, width, height);
    const info = sniffImage(bytes);
    expect(info).toEqual({ type, width, height });
    expect(info).not.toHaveProperty('animated');
    expect(sniffImageType(bytes)).toBe(type);
  });

  it('flags an animated WebP', async () => {
    expect(sniffImage(await makeImage('webp-animated', 320, 122))).toEqual({
      type: 'image/webp',
      width: 320,
      height: 122,
      animated: true,
    });
  });

  it('checks the WebP chunk kinds the fixtures claim to cover', async () => {
    const chunk = async (format: 'webp-lossy' | 'webp-lossless' | 'webp-alpha') =>
      Buffer.from((await makeImage(format, 64, 48)).subarray(12, 16)).toString('latin1');
    expect(await chunk('webp-lossy')).toBe('VP8 ');
    expect(await chunk('webp-lossless')).toBe('VP8L');
    expect(await chunk('webp-alpha')).toBe('VP8X');
  });

  it('finds the JPEG frame header after APPn segments, and at a progressive (SOF2) marker', () => {
    // SOI, APP1 (Exif-like, 8 bytes of payload), SOF2 with height 600 and width 800.
    const bytes = Uint8Array.from([
      0xff, 0xd8, 0xff, 0xe1, 0x00, 0x0a, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xc2,
      0x00, 0x11, 0x08, 0x02, 0x58, 0x03, 0x20, 0x03,
    ]);
    expect(sniffImage(bytes)).toEqual({ type: 'image/jpeg', width: 800, height: 600 });
  });

  it('rejects other formats, truncated headers and noise', async () => {
    const gif = await makeImage('gif', 32, 32);
    expect(sniffImage(gif)).toBeUndefined();
    expect(sniffImageType(gif)).toBeUndefined();
    const png = await makeImage('png', 32, 32);
    expect(sniffImage(png.subarray(0, 20))).toBeUndefined();
    expect(sniffImageType(png.subarray(0, 8))).toBe('image/png');
    const jpeg = await makeImage('jpeg', 32, 32);
    expect(sniffImage(jpeg.subarray(0, 30))).toBeUndefined();
    const webp = await makeImage('webp-lossy', 32, 32);
    expect(sniffImage(webp.subarray(0, 26))).toBeUndefined();
    expect(sniffImage(new Uint8Array(0))).toBeUndefined();
    expect(sniffImage(new TextEncoder().encode('RIFF....WEBPVP8 not really an image'))).toBeUndefined();
    expect(sniffImage(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
  });
});
