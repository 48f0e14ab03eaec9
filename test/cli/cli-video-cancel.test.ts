/**
 * `sora-bot video cancel ID` as a child process against an emulator it reaches as OpenAI: a video
 * still rendering is deleted at the provider (the API has no cancel call), a finished one is refused
 * with one line and exit 1 and stays.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { runCli } from './run-cli.js';

const KEY = 'sk-cli-cancel-SECRET-1a2b3c4d';
let cwd: string;
let slow: RunningEmulator;
let fast: RunningEmulator;
let env: Record<string, string>;

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'sora-cli-cancel-'));
  // A render that outlasts the test: the video is in progress whenever cancel looks at it.
  slow = await startEmulator({ renderMs: 600_000, apiKey: KEY });
  fast = await startEmulator({ renderMs: 100, apiKey: KEY });
  env = { SORA_PROVIDER: 'openai', OPENAI_BASE_URL: slow.openaiBaseUrl, OPENAI_API_KEY: KEY };
});
afterAll(async () => {
  await slow?.close();
  await fast?.close();
  await rm(cwd, { recursive: true, force: true });
});

it('deletes a video that is still rendering, and refuses one that is finished', async () => {
  const created = await runCli(['video', 'create', '--prompt', 'a very slow tide', '--json'], { cwd, env });
  expect(created.code).toBe(0);
  const id = (JSON.parse(created.stdout) as { id: string }).id;
  const cancelled = await runCli(['video', 'cancel', id], { cwd, env });
  expect(cancelled).toMatchObject({ code: 0 });
  expect(cancelled.stdout).toMatch(
    new RegExp(`^cancelled ${id} \\(it was (queued|in_progress); deleted at the provider\\)\\n$`),
  );
  expect(slow.videos().some((v) => v.id === id)).toBe(false);

  const fastEnv = { ...env, OPENAI_BASE_URL: fast.openaiBaseUrl };
  const done = await runCli(['video', 'create', '--prompt', 'a quick wave', '--wait', '--json'], {
    cwd,
    env: fastEnv,
  });
  expect(done.code).toBe(0);
  const finished = (JSON.parse(done.stdout) as { id: string }).id;
  const refused = await runCli(['video', 'cancel', finished], { cwd, env: fastEnv });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toBe(
    `${finished} is already completed: nothing to cancel (sora-bot video delete ${finished} removes it)\n`,
  );
  expect(fast.videos().some((v) => v.id === finished)).toBe(true);
});
