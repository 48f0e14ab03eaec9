import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeFilterValue, findFont, MediaError, resolveFfmpeg, runFfmpeg } from '../../src/media/ffmpeg.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ffmpeg-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as MediaError).code;
  }
}

describe('resolveFfmpeg', () => {
  it('finds a working ffmpeg (PATH or the npm-shipped binary)', async () => {
    const found = resolveFfmpeg();
    expect(['env', 'path', 'npm']).toContain(found.source);
    await expect(
      runFfmpeg(['-f', 'lavfi', '-i', 'nullsrc=size=16x16', '-frames:v', '1', '-f', 'null', '-']),
    ).resolves.toEqual(expect.objectContaining({ stderrTail: expect.any(String) }));
  });

  it('falls back to the npm package when PATH has no ffmpeg and FFMPEG_PATH is unset', () => {
    const found = resolveFfmpeg({ env: { PATH: dir } });
    expect(found.source).toBe('npm');
    expect(found.path).toContain('@ffmpeg-installer');
  });

  it('prefers an explicit path, then FFMPEG_PATH, then PATH', async () => {
    const fake = join(dir, 'ffmpeg');
    await writeFile(fake, '#!/bin/sh\nexit 0\n');
    await chmod(fake, 0o755);
    const npm = resolveFfmpeg({ env: { PATH: '' } }).path;
    expect(resolveFfmpeg({ ffmpegPath: npm, env: { FFMPEG_PATH: fake, PATH: dir } })).toEqual({
      path: npm,
      source: 'argument',
    });
    expect(resolveFfmpeg({ env: { FFMPEG_PATH: fake, PATH: '' } })).toEqual({ path: fake, source: 'env' });
    expect(resolveFfmpeg({ env: { PATH: dir } })).toEqual({ path: fake, source: 'path' });
  });

  it('reports a configured path that does not exist as ffmpeg_missing instead of using another ffmpeg', () => {
    expect(codeOf(() => resolveFfmpeg({ ffmpegPath: join(dir, 'nope') }))).toBe('ffmpeg_missing');
    expect(codeOf(() => resolveFfmpeg({ env: { FFMPEG_PATH: join(dir, 'nope'), PATH: '' } }))).toBe(
      'ffmpeg_missing',
    );
  });
});

describe('runFfmpeg', () => {
  it('rejects with ffmpeg_failed and the stderr tail when ffmpeg fails', async () => {
    const error = await runFfmpeg(['-i', join(dir, 'missing-input.mp4'), '-f', 'null', '-']).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).code).toBe('ffmpeg_failed');
    expect((error as MediaError).message).toContain('missing-input.mp4');
  });

  it('rejects with ffmpeg_missing when the binary cannot be started', async () => {
    const error = await runFfmpeg(['-version'], { ffmpegPath: join(dir, 'no-such-ffmpeg') }).catch(
      (e: unknown) => e,
    );
    expect((error as MediaError).code).toBe('ffmpeg_missing');
  });

  it('stops ffmpeg when the signal aborts', async () => {
    const controller = new AbortController();
    const run = runFfmpeg(['-re', '-f', 'lavfi', '-i', 'nullsrc=size=16x16:rate=1', '-f', 'null', '-'], {
      signal: controller.signal,
    });
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'ffmpeg_failed' });
  });
});

describe('findFont and escapeFilterValue', () => {
  it('uses FONT_PATH when it exists and otherwise a system font or nothing', async () => {
    const font = join(dir, 'My Font.ttf');
    await writeFile(font, 'not really a font');
    expect(findFont({ FONT_PATH: font })).toBe(font);
    const fallback = findFont({ FONT_PATH: join(dir, 'missing.ttf') });
    expect(fallback === undefined || fallback.endsWith('.ttf')).toBe(true);
  });

  it('escapes per the ffmpeg-filters manual example', () => {
    expect(escapeFilterValue("this is a 'string': may contain one, or more, special characters")).toBe(
      "this is a \\\\\\'string\\\\\\'\\\\: may contain one\\, or more\\, special characters",
    );
  });
});
