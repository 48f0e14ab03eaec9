/**
 * Real files for `GET /videos/{id}/content`, made with ffmpeg so clients and players are tested against
 * genuine media:
 * - `video`: H.264 (yuv420p, 12 fps, faststart) + AAC sine tone, of the requested size and duration;
 * - `thumbnail`: a WebP of the requested size; `spritesheet`: a JPEG grid of 4x4 frames, each a quarter
 *   of the video's width and height.
 * The background is the `input_reference` image when the job had one, else ffmpeg's moving `testsrc2`
 * pattern tinted with a hue derived from the prompt; the prompt is drawn on it when a font exists (see
 * findFont; without one the text is skipped, never the render).
 * Files are rendered on first request, cached per (variant, size, seconds, prompt, image) and shared by
 * concurrent requests; at most `maxProcesses` ffmpeg processes run at once (2 cores are common in CI).
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeFilterValue, findFont, runFfmpeg } from '../../media/ffmpeg.js';
import { type ContentVariant, parseSize } from '../video.js';
import type { StoredImage } from './lifecycle.js';

export interface RenderSpec {
  size: string;
  seconds: string;
  prompt: string;
  image: StoredImage | undefined;
}

export interface RenderedFile {
  path: string;
  bytes: number;
}

export interface RendererOptions {
  ffmpegPath?: string | undefined;
  /** Used as is and kept on close; default a fresh temp dir, removed on close. */
  cacheDir?: string | undefined;
  maxProcesses?: number;
  fontPath?: string | undefined;
}

const FPS = 12;
const EXTENSIONS: Record<ContentVariant, string> = { video: 'mp4', thumbnail: 'webp', spritesheet: 'jpg' };
const SPRITE_GRID = 4;
const MAX_TEXT_LINES = 6;
/** A 12 s 1080p clip takes a few seconds at ultrafast; anything near this means ffmpeg is stuck. */
const RENDER_TIMEOUT_MS = 120_000;

/** Splits the prompt into at most MAX_TEXT_LINES lines of `perLine` characters, ending in … when cut. */
export function wrapPrompt(prompt: string, perLine: number): string {
  const words = prompt.replace(/\s+/g, ' ').trim().split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const pieces =
      word.length > perLine ? (word.match(new RegExp(`.{1,${perLine}}`, 'gu')) ?? [word]) : [word];
    for (const piece of pieces) {
      if (line && line.length + 1 + piece.length > perLine) {
        lines.push(line);
        line = piece;
      } else line = line ? `${line} ${piece}` : piece;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= MAX_TEXT_LINES) return lines.join('\n');
  const kept = lines.slice(0, MAX_TEXT_LINES);
  kept[MAX_TEXT_LINES - 1] = `${kept[MAX_TEXT_LINES - 1]!.slice(0, perLine - 1)}…`;
  return kept.join('\n');
}

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

export class Renderer {
  private readonly semaphore: Semaphore;
  private readonly inFlight = new Map<string, Promise<RenderedFile>>();
  private readonly controller = new AbortController();
  private readonly fontPath: string | undefined;
  private dir: Promise<string> | undefined;

  constructor(private readonly options: RendererOptions = {}) {
    this.semaphore = new Semaphore(options.maxProcesses ?? 2);
    this.fontPath = options.fontPath ?? findFont();
  }

  /** The cached file for this variant, rendering it first when needed. */
  file(variant: ContentVariant, spec: RenderSpec): Promise<RenderedFile> {
    const key = createHash('sha256')
      .update(JSON.stringify([variant, spec.size, spec.seconds, spec.prompt, spec.image?.sha256 ?? null]))
      .digest('hex')
      .slice(0, 32);
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    const job = this.produce(key, variant, spec);
    this.inFlight.set(key, job);
    // A failed render is not cached: the next request tries again.
    job.catch(() => this.inFlight.delete(key));
    return job;
  }

  async close(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.inFlight.values()]);
    if (this.dir && !this.options.cacheDir) await rm(await this.dir, { recursive: true, force: true });
  }

  private cacheDir(): Promise<string> {
    this.dir ??= this.options.cacheDir
      ? mkdir(this.options.cacheDir, { recursive: true }).then(() => this.options.cacheDir!)
      : mkdtemp(join(tmpdir(), 'sora-emulator-'));
    return this.dir;
  }

  private async produce(key: string, variant: ContentVariant, spec: RenderSpec): Promise<RenderedFile> {
    const dir = await this.cacheDir();
    const target = join(dir, `${key}.${EXTENSIONS[variant]}`);
    const cached = await stat(target).catch(() => undefined);
    if (cached) return { path: target, bytes: cached.size };
    return this.semaphore.run(async () => {
      const partial = join(dir, `${key}.partial.${EXTENSIONS[variant]}`);
      const inputs = await this.prepareInputs(dir, key, spec);
      await runFfmpeg(['-y', ...this.argsFor(variant, spec, inputs), partial], {
        ffmpegPath: this.options.ffmpegPath,
        signal: this.controller.signal,
        timeoutMs: RENDER_TIMEOUT_MS,
      });
      await rename(partial, target);
      const done = await stat(target);
      return { path: target, bytes: done.size };
    });
  }

  /**
   * The reference image decoded once into a PNG still. Looping the original directly is fragile: an
   * animated WebP (which older ffmpeg builds cannot decode) makes `-loop 1` retry forever. An image the
   * service accepted but ffmpeg cannot read gives the generated background instead of a failed download.
   */
  private async stillImage(dir: string, image: StoredImage): Promise<string | undefined> {
    const still = join(dir, `image-${image.sha256}.png`);
    if (await stat(still).catch(() => undefined)) return still;
    const original = join(dir, `image-${image.sha256}`);
    await writeFile(original, image.bytes);
    try {
      await runFfmpeg(['-y', '-i', original, '-frames:v', '1', '-c:v', 'png', '-f', 'image2', still], {
        ffmpegPath: this.options.ffmpegPath,
        signal: this.controller.signal,
        timeoutMs: 30_000,
      });
      return still;
    } catch {
      return undefined;
    }
  }

  private async prepareInputs(dir: string, key: string, spec: RenderSpec) {
    const imagePath = spec.image ? await this.stillImage(dir, spec.image) : undefined;
    let textPath: string | undefined;
    if (this.fontPath) {
      const { width, height } = parseSize(spec.size);
      const fontSize = Math.round(Math.min(width, height) / 18);
      textPath = join(dir, `${key}.txt`);
      await writeFile(textPath, wrapPrompt(spec.prompt, Math.max(8, Math.floor(width / (fontSize * 0.6)))));
    }
    return { imagePath, textPath };
  }

  private argsFor(
    variant: ContentVariant,
    spec: RenderSpec,
    inputs: { imagePath: string | undefined; textPath: string | undefined },
  ): string[] {
    const { width, height } = parseSize(spec.size);
    const duration = Number(spec.seconds);
    const digest = createHash('sha256').update(spec.prompt).digest();
    const hue = digest.readUInt16BE(0) % 360;
    const toneHz = 220 + (digest.readUInt16BE(2) % 440);
    const frameSize =
      variant === 'spritesheet'
        ? { w: width / SPRITE_GRID, h: height / SPRITE_GRID }
        : { w: width, h: height };
    const rate = variant === 'spritesheet' ? `${SPRITE_GRID * SPRITE_GRID}/${duration}` : String(FPS);
    const background = inputs.imagePath
      ? ['-loop', '1', '-framerate', rate, '-t', String(duration), '-i', inputs.imagePath]
      : [
          '-f',
          'lavfi',
          '-i',
          `testsrc2=size=${frameSize.w}x${frameSize.h}:rate=${rate}:duration=${duration}`,
        ];
    const filters = inputs.imagePath ? [`scale=${frameSize.w}:${frameSize.h}`, 'setsar=1'] : [`hue=h=${hue}`];
    if (variant !== 'spritesheet') filters.push(...this.textFilters(width, height, inputs.textPath));
    if (variant === 'video') {
      return [
        ...background,
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=${toneHz}:sample_rate=44100:duration=${duration}`,
        '-filter_complex',
        `[0:v]${[...filters, 'format=yuv420p'].join(',')}[v]`,
        '-map',
        '[v]',
        '-map',
        '1:a',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-r',
        String(FPS),
        '-c:a',
        'aac',
        '-b:a',
        '64k',
        '-t',
        String(duration),
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
      ];
    }
    if (variant === 'thumbnail') {
      return [
        ...background,
        '-vf',
        filters.join(','),
        '-frames:v',
        '1',
        '-c:v',
        'libwebp',
        '-quality',
        '75',
        '-f',
        'webp',
      ];
    }
    return [
      ...background,
      '-vf',
      [...filters, `tile=${SPRITE_GRID}x${SPRITE_GRID}`].join(','),
      '-frames:v',
      '1',
      '-q:v',
      '4',
      '-f',
      'mjpeg',
    ];
  }

  private textFilters(width: number, height: number, textPath: string | undefined): string[] {
    if (!this.fontPath || !textPath) return [];
    const font = escapeFilterValue(this.fontPath);
    const size = Math.round(Math.min(width, height) / 18);
    return [
      `drawtext=fontfile=${font}:textfile=${escapeFilterValue(textPath)}:expansion=none:fontsize=${size}` +
        `:fontcolor=white:line_spacing=${Math.round(size / 4)}:box=1:boxcolor=black@0.55:boxborderw=${Math.round(size / 3)}` +
        `:x=(w-text_w)/2:y=h-text_h-h/10`,
      `drawtext=fontfile=${font}:text='sora emulator %{pts\\:hms}':fontsize=${Math.round(size * 0.6)}` +
        `:fontcolor=white:box=1:boxcolor=black@0.4:boxborderw=6:x=${Math.round(size / 2)}:y=${Math.round(size / 2)}`,
    ];
  }
}
