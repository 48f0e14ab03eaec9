/**
 * Restart tests: the bot process is killed with SIGKILL at each step of a job's life, started again
 * on the same DATA_DIR, and every job must be delivered exactly once, with no job paid for twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { EMULATOR_API_KEY } from '../../src/sora/index.js';
import { readJournal } from '../support/journal-surface.js';

const SCRIPT = join(import.meta.dirname, '../support/crash-bot.ts');
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
});

function runBot(
  env: Record<string, string>,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    running.add(child);
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    // No stopwatch on the run: the test's own timeout is the limit, and afterEach stops a bot left over.
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stderr });
    });
  });
}

let emulator: RunningEmulator;
const dirs: string[] = [];
beforeAll(async () => {
  emulator = await startEmulator({ renderMs: 300, apiKey: EMULATOR_API_KEY });
});
afterAll(async () => {
  await emulator.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const CRASH_POINTS = [
  { at: 'saved:accepted', after: 1 },
  { at: 'saved:waiting', after: 1 },
  { at: 'created', after: 1 },
  { at: 'saved:rendering', after: 2 },
  { at: 'saved:downloading', after: 1 },
  { at: 'saved:delivering', after: 1 },
  { at: 'posted', after: 1 },
];

describe('a bot killed with SIGKILL and restarted', () => {
  it.each(CRASH_POINTS)(
    'delivers every job exactly once when killed at $at',
    { timeout: 240_000 },
    async ({ at, after }) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'sora-restart-'));
      dirs.push(dataDir);
      const tag = `${at}-${Date.now()}`;
      const prompts = [0, 1, 2].map((i) => `restart test ${tag} clip ${i}`);
      const env = {
        DATA_DIR: dataDir,
        EMULATOR_URL: emulator.url,
        JOURNAL: join(dataDir, 'journal.jsonl'),
        CRASH_AT: at,
        CRASH_AFTER: String(after),
        PROMPTS: JSON.stringify(prompts),
      };
      const first = await runBot(env);
      expect(first.signal, first.stderr).toBe('SIGKILL');
      const second = await runBot(env);
      const journal = readJournal(env.JOURNAL);
      expect(
        second.code,
        `${second.stderr}\n${journal.map((l) => `${l.type} ${l.jobId} ${l.phase ?? ''}`).join('\n')}`,
      ).toBe(0);
      const deliveries = journal.filter((l) => l.type === 'delivery');
      const perJob = new Map<string, number>();
      for (const d of deliveries) perJob.set(d.jobId!, (perJob.get(d.jobId!) ?? 0) + 1);
      expect([...perJob.values()]).toEqual([1, 1, 1]);
      // Nothing was paid for twice: one provider job per prompt.
      const created = emulator.videos().filter((v) => v.prompt?.includes(tag));
      expect(created).toHaveLength(3);
    },
  );

  it('loses none of ten renders and posts none twice when killed in the middle', {
    timeout: 240_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sora-restart-'));
    dirs.push(dataDir);
    const tag = `ten-${Date.now()}`;
    const env = {
      DATA_DIR: dataDir,
      EMULATOR_URL: emulator.url,
      JOURNAL: join(dataDir, 'journal.jsonl'),
      CRASH_AT: 'saved:rendering',
      CRASH_AFTER: '5',
      PROMPTS: JSON.stringify(Array.from({ length: 10 }, (_, i) => `ten renders ${tag} clip ${i}`)),
    };
    expect((await runBot(env)).signal).toBe('SIGKILL');
    const second = await runBot(env);
    expect(second.code, second.stderr).toBe(0);
    const deliveries = readJournal(env.JOURNAL).filter((l) => l.type === 'delivery');
    expect(deliveries).toHaveLength(10);
    expect(new Set(deliveries.map((d) => d.jobId)).size).toBe(10);
    expect(emulator.videos().filter((v) => v.prompt?.includes(tag))).toHaveLength(10);
  });
});
