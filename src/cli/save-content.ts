/**
 * Streams a download to disk without holding it in memory: into FILE.part first, renamed to FILE only
 * once complete, so an interrupted download never leaves a truncated file under the real name.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Resolves with the number of bytes written. */
export async function saveStreamToFile(stream: Readable, file: string): Promise<number> {
  const partial = `${file}.part`;
  try {
    await pipeline(stream, createWriteStream(partial));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return (await stat(file)).size;
}
