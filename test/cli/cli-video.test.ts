/**
 * The real CLI as a child process against emulators: the embedded one (SORA_PROVIDER unset, no key) and
 * one started here that the CLI reaches as OpenAI or as Azure. Checks the files it writes (a real MP4 of
 * the right size and length, via mp4box), the exit codes, and that failures are one line without the key.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { VideoSchema } from '../../src/sora/video.js';
import { probeMp4, solidPng } from './fixtures.js';
import { lines, runCli } from './run-cli.js';

const KEY = 'sk-cli-test-SECRET-5f4e3d2c1b';
let cwd: string;
let emulator: RunningEmulator;
let openaiEnv: Record<string, string>;

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'sora-cli-video-'));
  emulator = await startEmulator({ renderMs: 200, apiKey: KEY });
  openaiEnv = { SORA_PROVIDER: 'openai', OPENAI_BASE_URL: emulator.openaiBaseUrl, OPENAI_API_KEY: KEY };
});
afterAll(async () => {
  await emulator?.close();
  await rm(cwd, { recursive: true, force: true });
});

describe('sora-bot video', () => {
  it('creates on the embedded emulator, waits with progress lines, and streams the MP4 to --out', async () => {
    const run = await runCli(
      [
        'video',
        'create',
        '--prompt',
        'a red fox in the snow',
        '--size',
        '1280x720',
        '--seconds',
        '4',
        '--wait',
        '--out',
        'fox.mp4',
      ],
      { cwd },
    );
    expect(run.code).toBe(0);
    // Not a TTY here: plain progress lines, ending with completed.
    expect(run.stderr).toMatch(/: (queued|in_progress) \d+%\n/);
    expect(run.stderr).toMatch(/: completed 100%\n/);
    expect(run.stderr).toMatch(/saved video_\w+ to fox\.mp4 \(\d+ bytes\)/);
    expect(run.stdout).toMatch(/^video_\w+ {2}completed/);
    const mp4 = await probeMp4(join(cwd, 'fox.mp4'));
    expect(mp4).toMatchObject({ width: 1280, height: 720 });
    expect(mp4.durationSeconds).toBeCloseTo(4, 0);
    expect((await readdir(cwd)).filter((name) => name.endsWith('.part'))).toEqual([]);
  });

  it('runs create, get, list, remix --wait --out, download and delete against OpenAI settings', async () => {
    await writeFile(join(cwd, 'portrait.png'), solidPng(720, 1280));
    const created = await runCli(
      ['video', 'create', '--prompt', 'waves at dusk', '--image', 'portrait.png', '--json'],
      {
        cwd,
        env: openaiEnv,
      },
    );
    expect(created.code).toBe(0);
    const video = VideoSchema.parse(JSON.parse(created.stdout));
    expect(video).toMatchObject({ status: 'queued', size: '720x1280', model: 'sora-2' });

    const got = await runCli(['video', 'get', video.id, '--json'], { cwd, env: openaiEnv });
    expect(got.code).toBe(0);
    expect(VideoSchema.parse(JSON.parse(got.stdout)).id).toBe(video.id);

    const listed = await runCli(['video', 'list', '--limit', '5'], { cwd, env: openaiEnv });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(video.id);

    const remixed = await runCli(
      ['video', 'remix', video.id, '--prompt', 'waves at dawn', '--out', 'remix.mp4', '--json'],
      {
        cwd,
        env: openaiEnv,
      },
    );
    expect(remixed.code).toBe(0);
    const remix = VideoSchema.parse(JSON.parse(remixed.stdout));
    expect(remix).toMatchObject({ status: 'completed', remixed_from_video_id: video.id });
    expect((await probeMp4(join(cwd, 'remix.mp4'))).height).toBe(1280);

    const thumb = await runCli(
      ['video', 'download', video.id, '--variant', 'thumbnail', '--out', 'thumb.webp'],
      {
        cwd,
        env: openaiEnv,
      },
    );
    expect(thumb.code).toBe(0);
    expect(thumb.stdout).toMatch(/saved thumbnail of video_\w+ to thumb\.webp \(\d+ bytes\)/);

    const deleted = await runCli(['video', 'delete', video.id], { cwd, env: openaiEnv });
    expect(deleted).toMatchObject({ code: 0, stdout: `deleted ${video.id}\n` });
    const gone = await runCli(['video', 'get', video.id], { cwd, env: openaiEnv });
    expect(gone.code).toBe(1);
    expect(lines(gone.stderr)).toEqual([
      expect.stringMatching(/^not_found \(HTTP 404\): .*\[request id \S+\]$/),
    ]);
  });

  it('reaches the same emulator with Azure settings (api-key header, deployment as model)', async () => {
    const env = {
      SORA_PROVIDER: 'azure',
      AZURE_OPENAI_ENDPOINT: emulator.azureEndpoint,
      AZURE_OPENAI_API_KEY: KEY,
      AZURE_OPENAI_DEPLOYMENT: 'team-sora',
    };
    const run = await runCli(
      ['video', 'create', '--prompt', 'a tram in Lisbon', '--size', '1280x720', '--json'],
      {
        cwd,
        env,
      },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ model: 'team-sora', size: '1280x720' });
  });

  it('exits 1 with the moderation reason and the request id when the job fails', async () => {
    const run = await runCli(['video', 'create', '--prompt', 'mickey mouse on a skateboard', '--wait'], {
      cwd,
      env: openaiEnv,
    });
    expect(run.code).toBe(1);
    const problem = lines(run.stderr).at(-1);
    expect(problem).toMatch(/^video video_\w+ failed: moderation_blocked: .*\[request id \S+\]$/);
  });

  it('exits 1 with one line, and without the key, when the key is wrong', async () => {
    const wrong = 'sk-wrong-SECRET-aabbccddeeff';
    const run = await runCli(['video', 'list'], { cwd, env: { ...openaiEnv, OPENAI_API_KEY: wrong } });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^auth \(HTTP 401\): /)]);
    expect(run.stdout + run.stderr).not.toContain(wrong);
    expect(run.stdout + run.stderr).not.toContain(KEY);
  });

  it('exits 1 with one line when the provider is unreachable', async () => {
    const run = await runCli(['video', 'get', 'video_1'], {
      cwd,
      env: { ...openaiEnv, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', SORA_MAX_RETRIES: '0' },
    });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      'network: could not reach the provider at 127.0.0.1:9 (ECONNREFUSED)',
    ]);
  });
});

describe('sora-bot doctor', () => {
  it('passes every check against a working provider', async () => {
    const run = await runCli(['doctor'], { cwd, env: openaiEnv });
    expect(run.code).toBe(0);
    // Other parts of the bot append their own checks (Slack, Discord); the Sora ones come first.
    const output = lines(run.stdout);
    expect(output.slice(0, 3)).toEqual([
      `[ok]   configuration: provider openai (${emulator.openaiBaseUrl}, key set)`,
      '[ok]   sora model: sora-2',
      `[ok]   sora provider: openai at ${emulator.openaiBaseUrl} answered and accepted the key`,
    ]);
    expect(output.filter((line) => line.startsWith('[FAIL]'))).toEqual([]);
    expect(output.at(-1)).toBe('All checks passed.');
  });

  it('names each problem and its fix, and exits 1', async () => {
    const wrongKey = await runCli(['doctor'], {
      cwd,
      env: { ...openaiEnv, OPENAI_API_KEY: 'sk-bad-SECRET-123', SORA_MODEL: 'sora-3' },
    });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toContain('[FAIL] sora model: SORA_MODEL "sora-3" is not a Sora model');
    expect(wrongKey.stdout).toContain('fix: set SORA_MODEL to sora-2 or sora-2-pro');
    expect(wrongKey.stdout).toMatch(
      /\[FAIL\] sora provider: the provider refused the key: auth \(HTTP 401\)/,
    );
    expect(wrongKey.stdout).toContain('fix: set OPENAI_API_KEY to a valid key');
    expect(wrongKey.stdout).toContain('2 problems found.');
    expect(wrongKey.stdout).not.toContain('sk-bad-SECRET-123');

    const badConfig = await runCli(['doctor'], { cwd, env: { SORA_PROVIDER: 'azure' } });
    expect(badConfig.code).toBe(1);
    const output = lines(badConfig.stdout);
    expect(output.slice(0, 4)).toEqual([
      '[FAIL] configuration: AZURE_OPENAI_ENDPOINT: expected your Azure OpenAI endpoint when SORA_PROVIDER=azure',
      '       fix: set that variable in .env or the environment (the README lists every variable)',
      '[skip] sora model: the configuration is invalid',
      '[skip] sora provider: the configuration is invalid',
    ]);
    expect(output.filter((line) => line.startsWith('[FAIL]'))).toHaveLength(1);
    expect(output.at(-1)).toBe('1 problem found.');
  });
});
