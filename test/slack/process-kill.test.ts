/**
 * The real `sora-bot start` (src/cli.ts as a child process, Slack over Socket Mode against the fake,
 * Sora through the emulator as an OpenAI endpoint that outlives both processes) is killed with SIGKILL
 * while the video renders, then started again on the same DATA_DIR: the video lands once, in the
 * thread of the original parent message.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { EMULATOR_API_KEY } from '../../src/sora/index.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { until } from '../support/until.js';
import { ALL_SCOPES, CHANNEL } from './slack-harness.js';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

let fake: FakeSlack;
let emulator: RunningEmulator;
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  fake = await startFakeSlack({ scopes: ALL_SCOPES });
  emulator = await startEmulator({ renderMs: 2_500, apiKey: EMULATOR_API_KEY });
  dataDir = mkdtempSync(join(tmpdir(), 'sora-slack-kill-'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await fake?.close();
  await emulator?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `sora-bot start` and resolves once it says Slack is connected. */
async function startBotProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', TSX, CLI, 'start'], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dataDir,
      DATA_DIR: join(dataDir, 'data'),
      PORT: '0',
      LOG_LEVEL: 'warn',
      SORA_PROVIDER: 'openai',
      OPENAI_BASE_URL: emulator.openaiBaseUrl,
      OPENAI_API_KEY: EMULATOR_API_KEY,
      SORA_MAX_CONCURRENT: '4',
      SORA_RPM: '0',
      SLACK_BOT_TOKEN: fake.options.botToken,
      SLACK_APP_TOKEN: fake.options.appToken,
      SLACK_API_URL: fake.apiUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  // No stopwatch: a bot that never connects fails the test at its own timeout (a crash fails it now).
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('slack: connected')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`the bot exited with ${code}:\n${output}`)));
  });
  return child;
}

describe('sora-bot start, killed mid-render', () => {
  it('delivers the video once, into the original thread, after a restart', { timeout: 180_000 }, async () => {
    const first = await startBotProcess();
    await fake.socket.sendSlashCommand(fake.payloads.slashCommand({ text: 'a comet over a frozen lake' }));
    const parent = await fake.waitForCall('chat.postMessage', (c) =>
      JSON.stringify(c.args.blocks).includes('a comet'),
    );
    const parentTs = String(parent.response.ts);
    // Submitted to the provider (the emulator shows it), not finished: kill the process outright.
    await until(() => emulator.videos().some((v) => v.status === 'queued' || v.status === 'in_progress'));
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    await fake.socket.waitForNoConnections();
    expect(fake.recorder.succeeded('files.completeUploadExternal')).toHaveLength(0);

    await startBotProcess();
    const complete = await fake.waitForCall('files.completeUploadExternal', (c) => c.response.ok === true);
    expect(complete.args).toMatchObject({ channel_id: CHANNEL, thread_ts: parentTs });
    // Give a second (wrong) delivery time to show up, then count.
    await until(() =>
      fake.workspace
        .thread(CHANNEL, parentTs)
        .some((m) => JSON.stringify(m.blocks ?? []).includes('sora_remix')),
    );
    expect(fake.recorder.succeeded('files.completeUploadExternal')).toHaveLength(1);
    expect(fake.workspace.thread(CHANNEL, parentTs).filter((m) => m.files?.length)).toHaveLength(1);
    expect(
      fake
        .calls('chat.postMessage')
        .filter((c) => JSON.stringify(c.args.blocks).includes('a comet') && !c.args.thread_ts),
    ).toHaveLength(1);
  });
});
