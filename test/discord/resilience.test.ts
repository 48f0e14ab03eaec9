/**
 * The gateway drops during a render: discord.js waits, RESUMEs and the fake replays what it missed;
 * the job is still delivered, exactly once, through the bot token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningBot, startBot } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import {
  customIdsOf,
  type DiscordTestBot,
  startDiscordTestBot,
  until,
  waitForDelivery,
  waitForJobId,
} from './discord-test-bot.js';

let t: DiscordTestBot;

beforeAll(async () => {
  // Long enough for a reconnect (discord.js waits 500 ms before it resumes) to land mid-render.
  t = await startDiscordTestBot({ env: { SORA_EMULATOR_RENDER_MS: '4000' } });
});

afterAll(async () => {
  await t?.close();
});

it('delivers once when the gateway reconnects and resumes during a render', async () => {
  const handle = t.fake.interactions.slashCommand({ options: { prompt: 'a storm over the sea' } });
  expect((await handle.callback).type).toBe(5);
  const jobId = await waitForJobId(t.fake, handle);
  await until(async () =>
    ['submitted', 'rendering'].includes((await t.bot.core.jobRecord(jobId))?.state ?? ''),
  );
  const [outcome] = await t.fake.forceReconnect();
  expect(outcome?.sessionId).toBeTruthy();
  expect(t.fake.gateway.connections.at(-1)).toMatchObject({ kind: 'resume' });
  expect((await t.bot.core.jobRecord(jobId))?.state).not.toBe('delivered');

  await waitForDelivery(t.fake, jobId);
  await until(async () => (await t.bot.core.jobRecord(jobId))?.state === 'delivered');
  const videos = t.fake
    .messagesIn(t.fake.channelId)
    .filter((m) => customIdsOf(m).includes(`sora:delete:${jobId}`) && m.attachments.length > 0);
  expect(videos).toHaveLength(1);
  const uploads = t.fake.recorder
    .callsTo('POST', '/channels/:channelId/messages')
    .filter((c) => c.files.length > 0);
  expect(uploads).toHaveLength(1);
});

it('finds the posted video after a crash between the upload and the ledger write, instead of posting again', async () => {
  const [job] = (await t.bot.core.ledger.byChannel(`discord:${t.fake.guild.id}:${t.fake.channelId}`)).filter(
    (j) => j.state === 'delivered',
  );
  const posted = job!.deliveredRef;
  // What the ledger looks like when the process died right after Discord accepted the upload.
  await t.bot.core.ledger.save({ ...job!, state: 'delivering', deliveredRef: null }, Date.now());
  await t.bot.core.ledger.store.addToSet('jobs:active', job!.id);
  await t.restart();
  await until(async () => (await t.bot.core.jobRecord(job!.id))?.state === 'delivered');
  expect((await t.bot.core.jobRecord(job!.id))?.deliveredRef).toBe(posted);
  expect(t.fake.recorder.callsTo('GET', '/channels/:channelId/messages')).toHaveLength(1);
  const uploads = t.fake.recorder
    .callsTo('POST', '/channels/:channelId/messages')
    .filter((c) => c.files.length > 0);
  expect(uploads).toHaveLength(1);
});

it('makes one job when two bots share the token: the slower defer gets 40060 and stops', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sora-discord-second-'));
  const second = await startBot(
    parseConfig({
      SORA_PROVIDER: 'emulator',
      DISCORD_TOKEN: t.fake.token,
      DISCORD_APPLICATION_ID: t.fake.applicationId,
      DISCORD_API_URL: t.fake.apiBase,
      DATA_DIR: dataDir,
      PORT: '0',
      SORA_EMULATOR_RENDER_MS: '300',
      SORA_RPM: '0',
      LOG_LEVEL: 'silent',
    }),
    { print: () => {} },
  );
  try {
    const handle = t.fake.interactions.slashCommand({ options: { prompt: 'two bots, one video' } });
    expect(handle.seq).toHaveLength(2);
    const jobId = await waitForJobId(t.fake, handle);
    await waitForDelivery(t.fake, jobId);
    // Both sessions answered; Discord accepted one callback and refused the other.
    await t.fake.waitFor(
      () => t.fake.recorder.callbacks.filter((c) => c.interactionId === handle.id).length === 2,
    );
    expect(t.fake.recorder.callbacks.filter((c) => c.interactionId === handle.id && c.accepted)).toHaveLength(
      1,
    );
    const scope = `discord:${t.fake.guild.id}:${t.fake.channelId}`;
    const count = async (bot: RunningBot) =>
      (await bot.core.ledger.byChannel(scope)).filter((j) => j.request.prompt === 'two bots, one video')
        .length;
    expect((await count(t.bot)) + (await count(second))).toBe(1);
  } finally {
    await second.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it('keeps answering interactions after the resume', async () => {
  const handle = t.fake.interactions.slashCommand({ subcommand: 'help', options: {} });
  expect((await handle.callback).type).toBe(5);
});
