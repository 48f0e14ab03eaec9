/**
 * HTTP mode through the real start-up path (startBot with SLACK_SIGNING_SECRET and no app token):
 * Bolt's HTTPReceiver is mounted on the bot's own HTTP server at POST /slack/events and verifies
 * every request's signature and its 5-minute timestamp window.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBot, startBot } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { ALL_SCOPES, CHANNEL } from './slack-harness.js';

let fake: FakeSlack;
let bot: RunningBot;
let dataDir: string;
let url: string;

beforeAll(async () => {
  fake = await startFakeSlack({ scopes: ALL_SCOPES });
  dataDir = mkdtempSync(join(tmpdir(), 'sora-slack-http-'));
  bot = await startBot(
    parseConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      SORA_EMULATOR_RENDER_MS: '200',
      LOG_LEVEL: 'silent',
      SORA_PROVIDER: 'emulator',
      SLACK_BOT_TOKEN: fake.options.botToken,
      SLACK_SIGNING_SECRET: fake.options.signingSecret,
      SLACK_API_URL: fake.apiUrl,
    }),
    { print: () => {} },
  );
  url = `${bot.url}/slack/events`;
});

afterAll(async () => {
  await bot?.close();
  await fake?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Slack in HTTP mode on the bot server', () => {
  it('starts only the Slack adapter when Slack credentials are set', () => {
    expect(bot.adapters.map((a) => a.name)).toEqual(['slack']);
    expect(bot.adapters[0]?.summary).toContain('/slack/events');
  });

  it('answers the Request URL check', async () => {
    const answer = await fake.http.sendEvent(url, {
      type: 'url_verification',
      challenge: 'challenge-123',
      token: 'x',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('challenge-123');
  });

  it('runs a correctly signed command and refuses forged or stale ones', async () => {
    const forged = await fake.http.sendSlashCommand(
      url,
      fake.payloads.slashCommand({ text: 'a forged fox' }),
      {
        badSignature: true,
      },
    );
    expect(forged.status).toBe(401);
    const stale = await fake.http.sendSlashCommand(url, fake.payloads.slashCommand({ text: 'a stale fox' }), {
      ageSec: 301,
    });
    expect(stale.status).toBe(401);

    const good = await fake.http.sendSlashCommand(
      url,
      fake.payloads.slashCommand({ text: 'a signed fox in the snow' }),
    );
    expect(good.status).toBe(200);
    const post = await fake.waitForCall('chat.postMessage', (c) =>
      JSON.stringify(c.args.blocks).includes('signed fox'),
    );
    expect(post.args.channel).toBe(CHANNEL);
    const complete = await fake.waitForCall(
      'files.completeUploadExternal',
      (c) => String(c.args.initial_comment).includes('signed fox'),
      20_000,
    );
    expect(complete.args.thread_ts).toBe(post.response.ts);
    const prompts = fake.calls('chat.postMessage').map((c) => JSON.stringify(c.args.blocks));
    expect(prompts.some((p) => p.includes('forged fox') || p.includes('stale fox'))).toBe(false);
  });
});
