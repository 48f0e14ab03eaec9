/**
 * Downloads a finished video's content to DATA_DIR: streamed to `NAME.part`, then renamed, so a
 * crash never leaves a half file under the final name and memory stays flat whatever the size.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { VideoProvider } from '../sora/provider.js';
import type { ContentVariant } from '../sora/video.js';

const EXTENSIONS = { video: 'mp4', thumbnail: 'webp', spritesheet: 'jpg' } as const satisfies Record<
  ContentVariant,
  string
>;

export function videoDir(dataDir: string): string {
  return join(dataDir, 'videos');
}

export async function downloadVariant(
  provider: VideoProvider,
  videoId: string,
  variant: ContentVariant,
  dir: string,
  name: string,
): Promise<{ path: string; bytes: number }> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.${EXTENSIONS[variant]}`);
  const part = `${path}.part`;
  const content = await provider.download(videoId, variant);
  try {
    await pipeline(content.stream, createWriteStream(part));
    await rename(part, path);
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
  return { path, bytes: (await stat(path)).size };
}
