/** Test fixtures shared by the client and CLI tests: a real PNG of any size, and an MP4 probe (mp4box). */
import { readFile } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';
import { createFile, type Movie, MP4BoxBuffer } from 'mp4box';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A decodable solid-colour RGB PNG (ffmpeg can use it as a background). */
export function solidPng(
  width: number,
  height: number,
  rgb: [number, number, number] = [30, 120, 200],
): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface Mp4Facts {
  durationSeconds: number;
  width: number;
  height: number;
  brands: string[];
}

/** Parses an MP4 file with mp4box and returns its duration and first video track's size. */
export async function probeMp4(path: string): Promise<Mp4Facts> {
  const bytes = await readFile(path);
  const file = createFile();
  let movie: Movie | undefined;
  file.onReady = (info) => {
    movie = info;
  };
  file.onError = (module, message) => {
    throw new Error(`mp4box ${module}: ${message}`);
  };
  const buffer = MP4BoxBuffer.fromArrayBuffer(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    0,
  );
  file.appendBuffer(buffer);
  file.flush();
  if (!movie) throw new Error(`${path} is not a complete MP4 (no moov box)`);
  const video = movie.videoTracks[0];
  if (!video) throw new Error(`${path} has no video track`);
  return {
    durationSeconds: movie.duration / movie.timescale,
    width: video.video?.width ?? video.track_width,
    height: video.video?.height ?? video.track_height,
    brands: movie.brands,
  };
}
