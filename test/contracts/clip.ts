/**
 * A small real video for the surface contract: one second of ffmpeg's test pattern as H.264 MP4
 * (with faststart, as the provider delivers it) and a WebP still, made with the same ffmpeg the bot
 * uses (FFMPEG_PATH, PATH, or @ffmpeg-installer/ffmpeg).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg } from '../../src/media/ffmpeg.js';

export interface Clip {
  videoPath: string;
  videoBytes: number;
  thumbnailPath: string;
}

export async function makeClip(dir: string): Promise<Clip> {
  const videoPath = join(dir, 'clip.mp4');
  const thumbnailPath = join(dir, 'clip.webp');
  const pattern = ['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=12'];
  await runFfmpeg([
    ...pattern,
    '-t',
    '1',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    '-y',
    videoPath,
  ]);
  await runFfmpeg([...pattern, '-frames:v', '1', '-c:v', 'libwebp', '-f', 'webp', '-y', thumbnailPath]);
  return { videoPath, videoBytes: (await stat(videoPath)).size, thumbnailPath };
}
