/**
 * What `sora-bot start` checks before it starts anything, so that a first run with a mistake in it
 * ends with one line naming the variable and the fix (exit 2) and writes nothing to DATA_DIR:
 * DATA_DIR can be written, ffmpeg can be run, FONT_PATH (when set) exists. A machine without any
 * font still runs (the emulator's stand-ins carry no text, the usage chart falls back), with a
 * warning line. A taken PORT is reported by the HTTP server's ListenError, bound before anything else.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Config } from '../config.js';
import { findFont, isMediaError, resolveFfmpeg } from '../media/ffmpeg.js';

export interface StartChecks {
  /** The first problem that stops the start, as one line; undefined when there is none. */
  problem: string | undefined;
  /** Lines worth printing that do not stop the start. */
  warnings: string[];
}

export function checkBeforeStart(config: Config, env: NodeJS.ProcessEnv = process.env): StartChecks {
  const problem =
    dataDirProblem(config.DATA_DIR) ?? ffmpegProblem(config.FFMPEG_PATH) ?? fontPathProblem(env);
  const warnings = problem === undefined && findFont(env) === undefined ? [NO_FONT] : [];
  return { problem, warnings };
}

const NO_FONT =
  'warning: no font found, so the emulator’s stand-in videos carry no text and the usage chart uses a fallback font: install one (apt install fonts-dejavu-core) or set FONT_PATH to a .ttf file';

/**
 * Whether the bot could create (or write into) DATA_DIR, checked without writing: the folder itself
 * when it exists, else the nearest folder above it that does.
 */
export function dataDirProblem(dataDir: string): string | undefined {
  const target = resolve(dataDir);
  const fix = `set DATA_DIR to a folder that ${currentUser()} may write (e.g. DATA_DIR=./data), or give that user the folder (chown)`;
  let path = target;
  for (;;) {
    const kind = kindOf(path);
    if (kind === 'missing') {
      const parent = dirname(path);
      if (parent === path) return `DATA_DIR=${dataDir}: no folder above it exists: ${fix}`;
      path = parent;
      continue;
    }
    if (kind === 'other')
      return path === target
        ? `DATA_DIR=${dataDir} is a file, not a folder: ${fix}`
        : `DATA_DIR=${dataDir} cannot be created because ${path} is a file, not a folder: ${fix}`;
    if (kind === 'unreadable')
      return `DATA_DIR=${dataDir} cannot be reached (${path} is not readable): ${fix}`;
    try {
      accessSync(path, constants.W_OK | constants.X_OK);
      return undefined;
    } catch {
      return path === target
        ? `DATA_DIR=${dataDir} is not writable: ${fix}`
        : `DATA_DIR=${dataDir} cannot be created because ${path} is not writable: ${fix}`;
    }
  }
}

function kindOf(path: string): 'dir' | 'other' | 'missing' | 'unreadable' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    // A path through a file (a/file.txt/b) fails with ENOTDIR: look at the part above it.
    if (code === 'ENOTDIR') return 'missing';
    return 'unreadable';
  }
}

function currentUser(): string {
  try {
    return `the user ${userInfo().username}`;
  } catch {
    return 'this user';
  }
}

/** ffmpeg renders the emulator's videos and fits images and Discord uploads: without it nothing is delivered. */
export function ffmpegProblem(ffmpegPath: string | undefined): string | undefined {
  try {
    resolveFfmpeg({ ffmpegPath });
    return undefined;
  } catch (error) {
    if (!isMediaError(error)) throw error;
    return ffmpegPath
      ? `FFMPEG_PATH=${ffmpegPath} is not an ffmpeg this user can run: install ffmpeg (apt install ffmpeg) and set FFMPEG_PATH=$(command -v ffmpeg), or remove FFMPEG_PATH to use the one on PATH or the bundled one`
      : 'ffmpeg not found (not on PATH, and @ffmpeg-installer/ffmpeg, a development dependency, is not installed): install ffmpeg (apt install ffmpeg) or set FFMPEG_PATH to it';
  }
}

export function fontPathProblem(env: NodeJS.ProcessEnv): string | undefined {
  const configured = env.FONT_PATH?.trim();
  if (!configured) return undefined;
  return kindOf(configured) === 'other'
    ? undefined
    : `FONT_PATH=${configured} is not a font file: point it at a .ttf file (e.g. /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf) or remove FONT_PATH`;
}
