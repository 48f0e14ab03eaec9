/** Runs the real `sora-bot` entry (src/cli.ts through tsx) as a child process, in a clean environment. */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `cwd` should be a fresh temp dir (no stray .env); `env` replaces the parent's environment except
 * PATH, so a developer's own OPENAI_API_KEY never leaks into a test.
 */
export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, CLI, ...args],
      {
        cwd: options.cwd,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: options.cwd,
          SORA_EMULATOR_RENDER_MS: '200',
          ...options.env,
        },
        timeout: 45_000,
        maxBuffer: 10 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

/** Starts the CLI without waiting for it to end (for long-running commands such as `emulator`). */
export function spawnCli(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  return spawn(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: options.cwd, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
