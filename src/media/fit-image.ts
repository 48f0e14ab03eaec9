/**
 * Fits an image into an exact WIDTHxHEIGHT PNG. The Videos API rejects an `input_reference` whose
 * pixel size differs from `size` ("Inpaint image must match the requested width and height",
 * docs/sora-api.md), so the bot fits every attachment before sending it, one of two ways (`--fit`):
 * - `cover` (the default): scaled to cover the box, then the overflow is cut evenly from both sides.
 *   The scale sizes are computed with ceil() in the expression instead of
 *   `force_original_aspect_ratio=increase`, whose rounding can land one pixel short and make crop fail.
 * - `contain`: scaled to fit inside the box (floor(), so it never overflows) and padded evenly with
 *   black bars, so nothing of the picture is lost.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaError, runFfmpeg } from './ffmpeg.js';
import { ffmpegDemuxer, type SniffedImageType } from './image-info.js';

export type FitImageInput = { path: string } | { bytes: Uint8Array };

export type ImageFitMode = 'cover' | 'contain';

export interface FitImageOptions {
  /** Default `cover`. */
  fit?: ImageFitMode | undefined;
  ffmpegPath?: string | undefined;
  /** The sniffed type: ffmpeg is told the format instead of probing for one. */
  inputType?: SniffedImageType | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

const MAX_SIDE = 8192;

/** The `-vf` chain that covers then crops to exactly width x height. */
export function coverCropFilter(width: number, height: number): string {
  const wider = `gt(iw/ih\\,${width}/${height})`;
  const scaleW = `if(${wider}\\,ceil(${height}*iw/ih)\\,${width})`;
  const scaleH = `if(${wider}\\,${height}\\,ceil(${width}*ih/iw))`;
  return `scale=w='${scaleW}':h='${scaleH}',crop=${width}:${height},setsar=1`;
}

/** The `-vf` chain that scales to fit inside width x height and pads the rest with black, centred. */
export function containPadFilter(width: number, height: number): string {
  const wider = `gt(iw/ih\\,${width}/${height})`;
  const scaleW = `if(${wider}\\,${width}\\,max(1\\,floor(${height}*iw/ih)))`;
  const scaleH = `if(${wider}\\,max(1\\,floor(${width}*ih/iw))\\,${height})`;
  return `scale=w='${scaleW}':h='${scaleH}',pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1`;
}

/** Returns PNG bytes of exactly `width` x `height`. Rejects with a MediaError (`ffmpeg_failed` for an undecodable image). */
export async function fitImage(
  input: FitImageInput,
  width: number,
  height: number,
  options: FitImageOptions = {},
): Promise<Uint8Array> {
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_SIDE)
      throw new MediaError('invalid_argument', `${name} must be a whole number from 1 to ${MAX_SIDE}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'sora-fit-'));
  try {
    let source: string;
    if ('path' in input) source = input.path;
    else {
      source = join(dir, `in-${randomUUID()}`);
      await writeFile(source, input.bytes);
    }
    const output = join(dir, 'out.png');
    await runFfmpeg(
      [
        '-y',
        ...(options.inputType ? ['-f', ffmpegDemuxer(options.inputType)] : []),
        '-i',
        source,
        '-vf',
        options.fit === 'contain' ? containPadFilter(width, height) : coverCropFilter(width, height),
        '-frames:v',
        '1',
        '-c:v',
        'png',
        '-f',
        'image2',
        output,
      ],
      { ffmpegPath: options.ffmpegPath, signal: options.signal, timeoutMs: options.timeoutMs ?? 60_000 },
    );
    return new Uint8Array(await readFile(output));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
