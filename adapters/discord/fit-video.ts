/**
 * Re-encodes a video to fit under a byte budget (Discord's per-guild upload limit) while keeping what
 * a person notices: the aspect ratio, the sound and the full duration. The bitrate follows from the
 * budget and the duration; the picture is scaled down only as far as that bitrate needs, and a result
 * still too large (x264's rate control overshoots on short clips) is encoded again, smaller.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MediaError, runFfmpeg } from '../../src/media/ffmpeg.js';

export interface FitVideoInput {
  inputPath: string;
  outputPath: string;
  maxBytes: number;
  durationMs: number;
  width: number;
  height: number;
  ffmpegPath?: string | undefined;
}

export interface FittedVideo {
  path: string;
  bytes: number;
  height: number;
}

/** Room for the MP4 container and rate-control slop. */
const BUDGET_SHARE = 0.9;
const MIN_VIDEO_BPS = 40_000;
/** Bits per pixel per frame that still look acceptable at H.264 (assumes 24 fps). */
const TARGET_BITS_PER_PIXEL = 0.06;
const ASSUMED_FPS = 24;
const MAX_ATTEMPTS = 3;

export async function fitVideoToSize(input: FitVideoInput): Promise<FittedVideo> {
  const seconds = Math.max(1, input.durationMs / 1000);
  let totalBps = (input.maxBytes * 8 * BUDGET_SHARE) / seconds;
  await mkdir(dirname(input.outputPath), { recursive: true });
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const audioBps = totalBps > 400_000 ? 64_000 : totalBps > 150_000 ? 32_000 : 16_000;
    const videoBps = Math.floor(totalBps - audioBps);
    if (videoBps < MIN_VIDEO_BPS)
      throw new MediaError('invalid_argument', `a ${seconds} s video cannot fit in ${input.maxBytes} bytes`);
    const height = scaledHeight(input.width, input.height, videoBps);
    await runFfmpeg(
      [
        '-i',
        input.inputPath,
        // -2: the width that keeps the aspect ratio, rounded to an even number (H.264 needs even sides).
        '-vf',
        `scale=-2:${height},setsar=1`,
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-pix_fmt',
        'yuv420p',
        '-b:v',
        String(videoBps),
        '-maxrate',
        String(videoBps),
        '-bufsize',
        String(videoBps),
        '-c:a',
        'aac',
        '-b:a',
        String(audioBps),
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        '-y',
        input.outputPath,
      ],
      { ffmpegPath: input.ffmpegPath, timeoutMs: 300_000 },
    );
    const bytes = (await stat(input.outputPath)).size;
    if (bytes <= input.maxBytes) return { path: input.outputPath, bytes, height };
    totalBps *= (input.maxBytes / bytes) * 0.85;
  }
  await rm(input.outputPath, { force: true });
  throw new MediaError('ffmpeg_failed', `could not encode the video under ${input.maxBytes} bytes`);
}

/** The largest even height (never above the original) whose pixel count the bitrate can carry. */
export function scaledHeight(width: number, height: number, videoBps: number): number {
  const affordablePixels = videoBps / (TARGET_BITS_PER_PIXEL * ASSUMED_FPS);
  const factor = Math.min(1, Math.sqrt(affordablePixels / (width * height)));
  const scaled = Math.max(144, Math.floor((height * factor) / 2) * 2);
  return Math.min(height - (height % 2), scaled);
}
