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

/**
 * Bytes gathered before each write to disk. The response arrives in socket-sized pieces (16 to 64 KB);
 * writing each one is a file-system call dispatched from the event loop, and with many deliveries at
 * once those calls were a fifth of the bot's busy time. Bounded, so memory stays flat at any size.
 */
const WRITE_CHUNK_BYTES = 1024 * 1024;

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
    await pipeline(content.stream, inChunksOf(WRITE_CHUNK_BYTES), createWriteStream(part));
    await rename(part, path);
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
  return { path, bytes: (await stat(path)).size };
}

/** Re-cuts a byte stream into pieces of `size` bytes (the last one shorter). */
function inChunksOf(size: number) {
  return async function* (source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
    let parts: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of source) {
      parts.push(chunk);
      length += chunk.length;
      if (length >= size) {
        yield Buffer.concat(parts, length);
        parts = [];
        length = 0;
      }
    }
    if (length > 0) yield Buffer.concat(parts, length);
  };
}
