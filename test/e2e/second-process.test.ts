/**
 * One writer per SQLite ledger: a second `sora-bot start` on the same DATA_DIR (another port) must
 * refuse to start with one line naming the running process and the fix, instead of both running the
 * loops and paying for every render twice. Once the first is killed (SIGKILL: no clean shutdown), a
 * new process takes the file over.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../..');
const CLI = join(REPO, 'src/cli.ts');
const TSX = import.meta.resolve('tsx');

const running = new Set<ChildProcess>();
const dirs: string[] = [];

afterEach(async () => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  /** Resolves with the printed URL, or rejects with what the process said when it exited first. */
  ready: Promise<string>;
  exited: Promise<{ code: number | null; stderr: string }>;
}

function start(dataDir: string): Started {
  const child = spawn(process.execPath, ['--import', TSX, CLI, 'start'], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dataDir,
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      ...(process.env.FFMPEG_PATH ? { FFMPEG_PATH: process.env.FFMPEG_PATH } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve({ code, stderr });
    }),
  );
  const ready = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /HTTP on (http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    void exited.then(({ code }) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  // A process expected to refuse never gets ready: that rejection is its answer, not an error.
  ready.catch(() => undefined);
  return { child, ready, exited };
}

describe('one bot process per SQLite ledger', () => {
  it('refuses a second process on the same DATA_DIR with one line, and takes over from a killed one', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sora-second-'));
    dirs.push(dataDir);
    const first = start(dataDir);
    await first.ready;

    const second = start(dataDir);
    const { code, stderr } = await second.exited;
    expect(code).not.toBe(0);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`pid ${first.child.pid}`);
    expect(lines[0]).toContain('STORE_URL=redis://');
    expect(lines[0]).not.toMatch(/\n\s+at /);

    first.child.kill('SIGKILL');
    await first.exited;
    const third = start(dataDir);
    await expect(third.ready).resolves.toMatch(/^http:/);
  });
});
