/**
 * Finding and running ffmpeg. Resolution order: an explicit path argument, `FFMPEG_PATH`, `ffmpeg` on
 * PATH, then the binary shipped by the npm package `@ffmpeg-installer/ffmpeg` (so a fresh `npm install`
 * renders videos even on a machine without a system ffmpeg). That package is a development dependency:
 * a production install (`npm ci --omit=dev`, the Docker image) uses the system's ffmpeg. Failures are `MediaError`s with a stable
 * `code` (`ffmpeg_missing`, `ffmpeg_failed`) and the tail of ffmpeg's stderr, never the full command's
 * environment.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';

export const MEDIA_ERROR_CODES = [
  'ffmpeg_missing',
  'ffmpeg_failed',
  'image_unsupported',
  'invalid_argument',
] as const;
export type MediaErrorCode = (typeof MEDIA_ERROR_CODES)[number];

export class MediaError extends Error {
  override readonly name = 'MediaError';
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isMediaError(value: unknown): value is MediaError {
  return value instanceof MediaError;
}

export type FfmpegSource = 'argument' | 'env' | 'path' | 'npm';

export interface ResolvedFfmpeg {
  path: string;
  source: FfmpegSource;
}

export interface ResolveFfmpegOptions {
  /** An explicit binary (e.g. the parsed `FFMPEG_PATH` config value); wins over everything else. */
  ffmpegPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const names = process.platform === 'win32' ? [`${name}.exe`, name] : [name];
  for (const dir of dirs) {
    for (const candidate of names) {
      const full = join(dir, candidate);
      if (isExecutableFile(full)) return full;
    }
  }
  return undefined;
}

function npmShippedFfmpeg(): string | undefined {
  try {
    // CommonJS package; it throws when no binary exists for this platform.
    const require = createRequire(import.meta.url);
    const installer = require('@ffmpeg-installer/ffmpeg') as { path?: unknown };
    return typeof installer.path === 'string' && isExecutableFile(installer.path)
      ? installer.path
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the ffmpeg binary to use, or throws `MediaError('ffmpeg_missing')`. An explicit path or
 * `FFMPEG_PATH` that does not point to an executable is an error (not silently skipped), so a typo in
 * the configuration is reported instead of quietly using another ffmpeg.
 */
export function resolveFfmpeg(options: ResolveFfmpegOptions = {}): ResolvedFfmpeg {
  const env = options.env ?? process.env;
  const explicit = options.ffmpegPath?.trim();
  if (explicit) {
    if (isExecutableFile(explicit)) return { path: explicit, source: 'argument' };
    throw new MediaError('ffmpeg_missing', `ffmpeg not found at ${explicit} (the configured ffmpeg path)`);
  }
  const fromEnv = env.FFMPEG_PATH?.trim();
  if (fromEnv) {
    if (isExecutableFile(fromEnv)) return { path: fromEnv, source: 'env' };
    throw new MediaError('ffmpeg_missing', `ffmpeg not found at ${fromEnv} (FFMPEG_PATH)`);
  }
  const onPath = findOnPath('ffmpeg', env);
  if (onPath) return { path: onPath, source: 'path' };
  const shipped = npmShippedFfmpeg();
  if (shipped) return { path: shipped, source: 'npm' };
  throw new MediaError(
    'ffmpeg_missing',
    'ffmpeg not found: install ffmpeg (apt install ffmpeg), set FFMPEG_PATH, or run a full `npm install` (its development dependencies include @ffmpeg-installer/ffmpeg)',
  );
}

export interface RunFfmpegOptions {
  /** The binary; resolved with `resolveFfmpeg()` when omitted. */
  ffmpegPath?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Kill ffmpeg after this long (default 120 000 ms). */
  timeoutMs?: number;
}

export interface FfmpegRun {
  /** The last lines ffmpeg wrote on stderr (warnings), at most STDERR_TAIL_CHARS characters. */
  stderrTail: string;
}

const STDERR_TAIL_CHARS = 2000;

/**
 * Runs ffmpeg with `args` (prefixed with `-nostdin -hide_banner -loglevel error`). Resolves when it exits
 * with 0; rejects with `ffmpeg_missing` when it cannot be started and `ffmpeg_failed` otherwise.
 */
export async function runFfmpeg(args: readonly string[], options: RunFfmpegOptions = {}): Promise<FfmpegRun> {
  // One process-wide limit: a burst of image commands or re-encodes queues here instead of starting
  // dozens of decoders at once. The wall-clock timeout starts when the run does.
  await ffmpegSlots.acquire(options.signal);
  try {
    return await spawnFfmpeg(args, options);
  } finally {
    ffmpegSlots.release();
  }
}

/** Bounded concurrency with a FIFO queue; a waiter whose signal aborts leaves the queue. */
class Slots {
  private running = 0;
  private readonly waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  constructor(public limit: number) {}

  get queued(): number {
    return this.waiting.length;
  }

  get active(): number {
    return this.running;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new MediaError('ffmpeg_failed', 'ffmpeg was cancelled before it started'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  release(): void {
    // The run's slot passes straight to the next waiter, unless the limit was lowered meanwhile.
    if (this.running > this.limit || this.waiting.length === 0) this.running--;
    else this.waiting.shift()?.resolve();
  }
}

const ffmpegSlots = new Slots(Math.max(2, availableParallelism()));

/** Sets how many ffmpeg processes may run at once in this process (FFMPEG_MAX_CONCURRENT). */
export function setFfmpegConcurrency(limit: number): void {
  ffmpegSlots.limit = Math.max(1, Math.trunc(limit));
}

/** ffmpeg runs under way and waiting (for metrics and tests). */
export function ffmpegLoad(): { running: number; queued: number } {
  return { running: ffmpegSlots.active, queued: ffmpegSlots.queued };
}

function spawnFfmpeg(args: readonly string[], options: RunFfmpegOptions): Promise<FfmpegRun> {
  let binary: string;
  try {
    binary = options.ffmpegPath ?? resolveFfmpeg().path;
  } catch (error) {
    return Promise.reject(error);
  }
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise<FfmpegRun>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new MediaError('ffmpeg_failed', 'ffmpeg was cancelled before it started'));
      return;
    }
    const child = spawn(binary, ['-nostdin', '-hide_banner', '-loglevel', 'error', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      windowsHide: true,
    });
    let tail = '';
    let settled = false;
    let killedBecause: string | undefined;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    const kill = (why: string) => {
      killedBecause = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`ffmpeg timed out after ${timeoutMs} ms`), timeoutMs);
    timer.unref();
    const onAbort = () => kill('ffmpeg was cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (error?: MediaError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve({ stderrTail: tail.trim() });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EACCES')
        finish(
          new MediaError('ffmpeg_missing', `ffmpeg could not be started (${error.code})`, { cause: error }),
        );
      else
        finish(
          new MediaError('ffmpeg_failed', `ffmpeg could not be started: ${error.message}`, { cause: error }),
        );
    });
    child.on('close', (code, signal) => {
      if (code === 0) return finish();
      const why =
        killedBecause ?? `ffmpeg exited with ${code === null ? `signal ${signal}` : `code ${code}`}`;
      const detail = tail.trim();
      finish(new MediaError('ffmpeg_failed', detail ? `${why}: ${detail}` : why));
    });
  });
}

/** Where common systems keep DejaVu Sans (Debian/Ubuntu first, as in our container images). */
const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
  '/Library/Fonts/Arial.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
];

/**
 * A TrueType font for ffmpeg's drawtext: `FONT_PATH` when it names an existing file, else the first
 * system font found. Returns undefined when there is none; callers then skip drawtext instead of failing.
 */
export function findFont(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.FONT_PATH?.trim();
  if (configured && existsSync(configured)) return configured;
  return FONT_CANDIDATES.find((candidate) => existsSync(candidate));
}

/**
 * Escapes a value for an ffmpeg filtergraph option (e.g. a path given to drawtext's `fontfile=`), per
 * "Notes on filtergraph escaping" in the ffmpeg-filters manual: first for the option parser
 * (`\ ' :`), then for the filtergraph parser (`\ ' [ ] , ;`).
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}
