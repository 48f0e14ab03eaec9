/**
 * The gateway drops during a render: discord.js waits, RESUMEs and the fake replays what it missed;
 * the job is still delivered, exactly once, through the bot token. A send whose answer is lost is
 * deduplicated by its nonce, and after a restart the delivery is found from its checkpoint.
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
  jobsInChannel,
  startDiscordTestBot,
  until,
  waitForDelivery,
  waitForJobId,
} from './discord-test-bot.js';

let t: DiscordTestBot;

/** The sends of a job's video (the upload calls, whatever Discord answered). */
function videoSends(jobId: string) {
  return t.fake.recorder
    .callsTo('POST', '/channels/:channelId/messages')
    .filter((c) => c.files.some((f) => f.filename === `sora-${jobId}.mp4`));
}

/** The messages in the channel that show a job's video. */
function videosOf(jobId: string) {
  return t.fake
    .messagesIn(t.fake.channelId)
    .filter((m) => customIdsOf(m).includes(`sora:delete:${jobId}`) && m.attachments.length > 0);
}

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
  expect(videosOf(jobId)).toHaveLength(1);
  expect(videoSends(jobId)).toHaveLength(1);
});

it('gets its first message back when a send is retried after a lost answer (nonce with enforce_nonce)', async () => {
  // Discord makes the message, the answer is lost on the way back; discord.js sends again.
  t.fake.injectError({
    method: 'POST',
    route: '/channels/:channelId/messages',
    status: 502,
    code: 0,
    message: 'Bad Gateway',
    afterHandling: true,
  });
  const handle = t.fake.interactions.slashCommand({ options: { prompt: 'a paper boat on a canal' } });
  const jobId = await waitForJobId(t.fake, handle);
  // The bot renders for four seconds here.
  await until(async () => (await t.bot.core.jobRecord(jobId))?.state === 'delivered');
  const message = await waitForDelivery(t.fake, jobId);
  expect((await t.bot.core.jobRecord(jobId))?.deliveredRef).toBe(`${message.channelId}:${message.id}`);
  const sends = videoSends(jobId);
  expect(sends.map((c) => c.status)).toEqual([502, 200]);
  expect(videosOf(jobId)).toHaveLength(1);
});

it('finds the posted video from its checkpoint when every answer to the send was lost, across a restart, instead of posting again', async () => {
  // The send and each of discord.js's three retries are carried out and answered 502: the bot never
  // learns the message id, only what it checkpointed before the send.
  t.fake.injectError({
    method: 'POST',
    route: '/channels/:channelId/messages',
    status: 502,
    code: 0,
    message: 'Bad Gateway',
    afterHandling: true,
    times: 4,
  });
  const handle = t.fake.interactions.slashCommand({ options: { prompt: 'a kite over the dunes' } });
  const jobId = await waitForJobId(t.fake, handle);
  const posted = await waitForDelivery(t.fake, jobId);
  await t.fake.waitFor(() => videoSends(jobId).length === 4);
  const lookups = t.fake.recorder.callsTo('GET', '/channels/:channelId/messages').length;
  await t.restart();
  await until(async () => (await t.bot.core.jobRecord(jobId))?.state === 'delivered');
  expect((await t.bot.core.jobRecord(jobId))?.deliveredRef).toBe(`${posted.channelId}:${posted.id}`);
  expect(t.fake.recorder.callsTo('GET', '/channels/:channelId/messages').length).toBeGreaterThan(lookups);
  expect(videoSends(jobId).every((c) => c.status === 502)).toBe(true);
  expect(videosOf(jobId)).toHaveLength(1);
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
    const count = async (bot: RunningBot) =>
      (await jobsInChannel(bot, t.fake)).filter((j) => j.prompt === 'two bots, one video').length;
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
