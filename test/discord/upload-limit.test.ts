/**
 * Videos larger than the guild's upload limit: re-encoded with ffmpeg to fit (aspect ratio, sound and
 * duration kept), with a signed, expiring link to the original when PUBLIC_URL is set; and the same
 * when Discord answers 413 / 40005 for a limit the bot did not know.
 */
import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readMp4Info } from '../support/mp4-info.js';
import {
  type DiscordTestBot,
  mentioningWrites,
  startDiscordTestBot,
  waitForDelivery,
  waitForJobId,
} from './discord-test-bot.js';

const SMALL_LIMIT = 700 * 1024;
const PUBLIC_URL = 'https://sora.example.com';
let t: DiscordTestBot;
let smallGuild: string;
let roomyGuild: string;
let tinyGuild: string;

beforeAll(async () => {
  t = await startDiscordTestBot({
    fake: {
      guilds: [
        { name: 'Small uploads', attachmentSizeLimit: SMALL_LIMIT },
        { name: 'Roomy', attachmentSizeLimit: 10 * 1024 * 1024 },
        { name: 'Tiny uploads', attachmentSizeLimit: 16 * 1024 },
      ],
    },
    env: { PUBLIC_URL, DOWNLOAD_LINK_SECRET: 'test-secret-for-links' },
  });
  [smallGuild, roomyGuild, tinyGuild] = [...t.fake.world.guilds.keys()] as [string, string, string];
});

afterAll(async () => {
  await t?.close();
});

function channelOf(guildId: string): string {
  return t.fake.world.defaultChannelOf(guildId).id;
}

it('re-encodes a video over the guild limit to fit, keeps it playable, and links the original', async () => {
  const handle = t.fake.interactions.slashCommand({
    guildId: smallGuild,
    options: { prompt: 'a big harbour', seconds: 4 },
  });
  expect((await handle.callback).type).toBe(5);
  const jobId = await waitForJobId(t.fake, handle);
  const delivered = await waitForDelivery(t.fake, jobId, channelOf(smallGuild));
  const job = await t.bot.core.jobRecord(jobId);
  const originalBytes = (await stat(job!.files.video!)).size;
  expect(originalBytes).toBeGreaterThan(SMALL_LIMIT);

  const video = delivered.attachments[0]!;
  expect(video.size).toBeLessThanOrEqual(SMALL_LIMIT);
  const info = await readMp4Info(video.bytes!);
  expect(info.hasAudio).toBe(true);
  expect(info.durationS).toBeGreaterThan(3.5);
  expect(info.durationS).toBeLessThan(4.5);
  expect(info.width / info.height).toBeCloseTo(720 / 1280, 1);
  expect(delivered.content).toContain('Re-encoded');

  const link = /\[Download the original\]\(<([^>]+)>\)/.exec(delivered.content)?.[1];
  expect(link?.startsWith(`${PUBLIC_URL}/discord/videos/${jobId}.mp4?`)).toBe(true);
  const local = link!.replace(PUBLIC_URL, t.bot.url);
  const download = await fetch(local);
  expect(download.status).toBe(200);
  expect(download.headers.get('content-type')).toBe('video/mp4');
  expect((await download.arrayBuffer()).byteLength).toBe(originalBytes);
  const tampered = await fetch(
    local.replace(/sig=([0-9a-f])/, (_m, c: string) => `sig=${c === '0' ? '1' : '0'}`),
  );
  expect(tampered.status).toBe(403);
  const otherJob = await fetch(local.replace(`/${jobId}.mp4`, '/zzzzzz.mp4'));
  expect(otherJob.status).toBe(403);
});

it('handles a 413 / 40005 answer the same way: smaller encode, no raw error shown', async () => {
  t.fake.injectError({
    method: 'POST',
    route: '/channels/:channelId/messages',
    status: 413,
    code: 40005,
    message: 'Request entity too large',
  });
  const handle = t.fake.interactions.slashCommand({
    guildId: roomyGuild,
    options: { prompt: 'a surprise limit', seconds: 4 },
  });
  expect((await handle.callback).type).toBe(5);
  const jobId = await waitForJobId(t.fake, handle);
  const delivered = await waitForDelivery(t.fake, jobId, channelOf(roomyGuild));
  const uploads = await t.fake.waitFor(() => {
    const finished = t.fake.recorder
      .callsTo('POST', '/channels/:channelId/messages')
      .filter((c) => c.params['channelId'] === channelOf(roomyGuild) && c.files.length > 0);
    return finished.length === 2 && finished;
  });
  expect(uploads.map((c) => c.status)).toEqual([413, 200]);
  expect(uploads[1]!.files[0]!.size).toBeLessThan(uploads[0]!.files[0]!.size);
  expect(delivered.content).toContain('Re-encoded');
  expect((await readMp4Info(delivered.attachments[0]!.bytes!)).hasAudio).toBe(true);
  const texts = t.fake.messagesIn(channelOf(roomyGuild)).map((m) => m.content);
  expect(texts.some((text) => text.includes('40005') || text.includes('too large'))).toBe(false);
  expect(mentioningWrites(t.fake)).toEqual([]);
});

it('posts the caption with a link when no encode can fit the limit', async () => {
  const handle = t.fake.interactions.slashCommand({
    guildId: tinyGuild,
    options: { prompt: 'too big for anything' },
  });
  expect((await handle.callback).type).toBe(5);
  const jobId = await waitForJobId(t.fake, handle);
  const delivered = await waitForDelivery(t.fake, jobId, channelOf(tinyGuild));
  expect(delivered.attachments).toEqual([]);
  expect(delivered.content).toContain("Too large for this server's");
  expect(delivered.content).toContain(`${PUBLIC_URL}/discord/videos/${jobId}.mp4?`);
});
