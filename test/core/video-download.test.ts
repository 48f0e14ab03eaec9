/**
 * Downloading a finished video to DATA_DIR through the real client and the emulator: the file holds
 * exactly the bytes served (gathered into pieces before each write), a folder removed meanwhile is
 * made again, and a body cut off halfway leaves no file behind (it is written under its final name,
 * so a half file must not stay there).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { downloadVariant } from '../../src/core/video-download.js';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { createProvider, EMULATOR_API_KEY } from '../../src/sora/index.js';
import type { VideoProvider } from '../../src/sora/provider.js';

/** 3 MB and a bit, in the odd-sized pieces a socket delivers: several writes, the last one short. */
const BODY = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 12_345 }, (_, i) => (i * 31) % 251));
const CUT_AFTER = 1024 * 1024 + 7;

let emulator: RunningEmulator;
let provider: VideoProvider;
let videoId: string;
let cutVideoId: string;
const dirs: string[] = [];

function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

beforeAll(async () => {
  emulator = await startEmulator({
    renderMs: 50,
    apiKey: EMULATOR_API_KEY,
    contentOverride: (id, variant) => {
      if (variant !== 'video') return Readable.from([Buffer.from('a thumbnail')]);
      if (id !== cutVideoId) return Readable.from(pieces(BODY, 40_000));
      // Half a body, then the connection breaks.
      return new Readable({
        read() {
          this.push(BODY.subarray(0, CUT_AFTER));
          this.destroy(new Error('connection reset'));
        },
      });
    },
  });
  provider = createProvider(parseConfig({ SORA_PROVIDER: 'emulator' }), {
    emulatorUrl: emulator.url,
    emulatorApiKey: EMULATOR_API_KEY,
  });
  const made = await Promise.all([
    provider.create({ prompt: 'a whole video', model: 'sora-2', seconds: '4', size: '720x1280' }),
    provider.create({ prompt: 'a video cut off', model: 'sora-2', seconds: '4', size: '720x1280' }),
  ]);
  videoId = made[0].id;
  cutVideoId = made[1].id;
  for (;;) {
    const all = await Promise.all([videoId, cutVideoId].map((id) => provider.retrieve(id)));
    if (all.every((v) => v.status === 'completed')) break;
    await new Promise((r) => setTimeout(r, 20));
  }
});

afterAll(async () => {
  await emulator.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sora-download-'));
  dirs.push(dir);
  return join(dir, 'videos');
}

describe('downloading a finished video', () => {
  it('writes exactly the bytes served and reports their number', async () => {
    const dir = freshDir();
    const saved = await downloadVariant(provider, videoId, 'video', dir, 'job1');
    expect(saved).toEqual({ path: join(dir, 'job1.mp4'), bytes: BODY.length });
    expect(readFileSync(saved.path).equals(BODY)).toBe(true);
    expect(readdirSync(dir)).toEqual(['job1.mp4']);
  });

  it('makes the folder again when it was removed after an earlier download', async () => {
    const dir = freshDir();
    await downloadVariant(provider, videoId, 'thumbnail', dir, 'job2');
    rmSync(dir, { recursive: true });
    const saved = await downloadVariant(provider, videoId, 'video', dir, 'job2');
    expect(readFileSync(saved.path).equals(BODY)).toBe(true);
  });

  it('a body cut off halfway fails and leaves no file behind', async () => {
    const dir = freshDir();
    await expect(downloadVariant(provider, cutVideoId, 'video', dir, 'job3')).rejects.toThrow();
    expect(existsSync(join(dir, 'job3.mp4'))).toBe(false);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});
