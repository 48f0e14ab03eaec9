/**
 * /sora generate end to end: the real discord.js (inside startBot) against the wire-level fake
 * Discord, the real Sora client against the embedded emulator. One bot for the file; cases run in
 * order like one session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Intent } from '../fakes/discord/index.js';
import { makeImage } from '../media/image-fixtures.js';
import { readMp4Info } from '../support/mp4-info.js';
import {
  customIdsOf,
  type DiscordTestBot,
  jobsInChannel,
  mentioningWrites,
  startDiscordTestBot,
  waitForDelivery,
  waitForJobId,
} from './discord-test-bot.js';

let skewMs = 0;
let t: DiscordTestBot;

beforeAll(async () => {
  t = await startDiscordTestBot({ fake: { now: () => Date.now() + skewMs } });
});

afterAll(async () => {
  await t?.close();
});

const EPHEMERAL = 1 << 6;

describe('/sora generate', () => {
  it('defers, keeps one status message updated through the bot token, then posts the MP4 with buttons', async () => {
    const handle = t.fake.interactions.slashCommand({
      options: { prompt: 'a *bold* cat yelling @everyone at <@&123>', seconds: 4, size: '1280x720' },
    });
    const callback = await handle.callback;
    expect(callback).toMatchObject({ type: 5, accepted: true });
    expect((callback.data as { flags?: number } | null)?.flags ?? 0).toBe(0);
    const jobId = await waitForJobId(t.fake, handle);
    const delivered = await waitForDelivery(t.fake, jobId);

    const statusId = handle.record.originalMessageId!;
    const statusWrites = t.fake.recorder.messageWrites.filter((w) => w.messageId === statusId);
    // The deferred reply is filled once through the interaction token, then edited through the channel.
    expect(statusWrites[0]?.kind).toBe('webhook-edit');
    expect(statusWrites.slice(1).every((w) => w.kind === 'channel-edit')).toBe(true);
    expect(statusWrites.some((w) => w.content?.includes('Rendering'))).toBe(true);
    await t.fake.waitFor(() => t.fake.message(statusId)?.content.includes('Done'));

    expect(delivered.content).toContain(`id \`${jobId}\``);
    expect(delivered.content).toContain('\\*bold\\*');
    expect(delivered.content).toContain('4s · 1280x720 · sora-2');
    // On the emulator (SORA_PROVIDER=emulator) every video says it is a stand-in.
    expect(delivered.content).toContain('Emulator stand-in, not a Sora render.');
    expect(delivered.content).toContain(`<@${t.fake.user.id}>`);
    const video = delivered.attachments[0]!;
    expect(video.filename).toBe(`sora-${jobId}.mp4`);
    const info = await readMp4Info(video.bytes!);
    expect(info).toMatchObject({ width: 1280, height: 720, hasAudio: true });
    expect(info.durationS).toBeGreaterThan(3.5);

    // Only the two non-privileged intents the bot needs.
    expect(t.fake.gateway.sessions[0]?.intents).toBe(Intent.Guilds | Intent.GuildMessageReactions);
    const upload = t.fake.recorder.calls.find(
      (c) => c.method === 'POST' && c.route === '/channels/:channelId/messages' && c.files.length > 0,
    );
    expect(upload?.botAuth).toBe(true);
    expect(mentioningWrites(t.fake)).toEqual([]);
  });

  it('animates an attached image: downloads it at once and renders from it', async () => {
    const png = Buffer.from(await makeImage('png', 640, 360));
    const image = t.fake.seedAttachment({
      filename: 'harbour.png',
      bytes: png,
      contentType: 'image/png',
      width: 640,
      height: 360,
    });
    const downloadsBefore = t.fake.cdn.downloads.length;
    const handle = t.fake.interactions.slashCommand({
      options: { prompt: 'waves roll in', image, size: '1280x720' },
    });
    expect((await handle.callback).type).toBe(5);
    const jobId = await waitForJobId(t.fake, handle);
    const job = await t.bot.core.jobRecord(jobId);
    expect(job?.request.imagePath).toMatch(/\.png$/);
    expect(
      t.fake.cdn.downloads
        .slice(downloadsBefore)
        .some((d) => d.attachmentId === image.stored.id && d.status === 200),
    ).toBe(true);
    const delivered = await waitForDelivery(t.fake, jobId);
    expect(delivered.content).toContain('from an image');
    expect((await readMp4Info(delivered.attachments[0]!.bytes!)).width).toBe(1280);
  });

  it('answers a file that is not an image privately, without a job', async () => {
    const text = t.fake.seedAttachment({
      filename: 'notes.png',
      bytes: Buffer.from('just text, not a picture'),
      contentType: 'image/png',
    });
    const handle = t.fake.interactions.slashCommand({ options: { prompt: 'animate my notes', image: text } });
    expect((await handle.callback).type).toBe(5);
    const answer = await t.fake.waitFor(() =>
      t.fake.recorder.messageWrites.find((w) => w.kind === 'followup' && w.content?.includes('notes.png')),
    );
    expect(answer.content).toContain("isn't a JPEG, PNG or WebP");
    // The public "thinking…" reply was replaced by the private answer.
    expect(t.fake.message(handle.record.originalMessageId!)).toBeUndefined();
    const jobs = await jobsInChannel(t.bot, t.fake);
    expect(jobs.filter((j) => j.prompt === 'animate my notes')).toEqual([]);
  });

  it('answers a usage problem at once and privately', async () => {
    const handle = t.fake.interactions.slashCommand({ options: { prompt: 'a cat', size: '1920x1080' } });
    const callback = await handle.callback;
    expect(callback.type).toBe(4);
    expect((callback.data as { flags: number }).flags & EPHEMERAL).toBe(EPHEMERAL);
    expect((callback.data as { content: string }).content).toContain('1920x1080');
  });

  it('delivers through the bot token after the 15-minute interaction token has expired', async () => {
    const handle = t.fake.interactions.slashCommand({
      options: { prompt: 'a very long render', seconds: 4 },
    });
    expect((await handle.callback).type).toBe(5);
    const jobId = await waitForJobId(t.fake, handle);
    const firstCall = t.fake.recorder.calls.length;
    skewMs += 16 * 60_000;
    await waitForDelivery(t.fake, jobId);
    await t.fake.waitFor(() => t.fake.message(handle.record.originalMessageId!)?.content.includes('Done'));
    const later = t.fake.recorder.calls.slice(firstCall);
    expect(
      later.some((c) => c.route === '/channels/:channelId/messages/:messageId' && c.method === 'PATCH'),
    ).toBe(true);
    expect(later.filter((c) => c.path.startsWith('/webhooks/'))).toEqual([]);
    expect(later.every((c) => c.status !== null && c.status < 400)).toBe(true);
  });

  it('makes one job from a replayed interaction', async () => {
    const handle = t.fake.interactions.slashCommand({ options: { prompt: 'only once please' } });
    expect((await handle.callback).type).toBe(5);
    const jobId = await waitForJobId(t.fake, handle);
    // The gateway delivers the same INTERACTION_CREATE again (a replay after a resume, or a retry).
    t.fake.dispatch('INTERACTION_CREATE', handle.payload);
    await waitForDelivery(t.fake, jobId);
    await t.fake.waitFor(
      () => t.fake.recorder.callbacks.filter((c) => c.interactionId === handle.id).length === 2,
    );
    const jobs = (await jobsInChannel(t.bot, t.fake)).filter((j) => j.prompt === 'only once please');
    expect(jobs).toHaveLength(1);
    expect(t.fake.recorder.callbacks.filter((c) => c.interactionId === handle.id && c.accepted)).toHaveLength(
      1,
    );
  });

  it('works inside a thread: status and video go into the thread, list scope is the parent channel', async () => {
    const parent = t.fake.channel(t.fake.channelId)!;
    const starter = t.fake.seedMessage({ content: 'video ideas' });
    const thread = t.fake.world.addThread({
      id: starter.id,
      parent,
      name: 'video ideas',
      ownerId: t.fake.user.id,
      nowIso: new Date().toISOString(),
    });
    t.fake.dispatch('THREAD_CREATE', { ...t.fake.world.channelPayload(thread), newly_created: true });
    const handle = t.fake.interactions.slashCommand({
      channelId: thread.id,
      options: { prompt: 'a thread of its own' },
    });
    expect((await handle.callback).type).toBe(5);
    const jobId = await waitForJobId(t.fake, handle);
    const delivered = await waitForDelivery(t.fake, jobId, thread.id);
    expect(delivered.channelId).toBe(thread.id);
    const job = await t.bot.core.jobRecord(jobId);
    expect(job?.conversation).toBe(`discord:${t.fake.guild.id}:${parent.id}:${thread.id}`);
    expect(job?.channel).toBe(`discord:${t.fake.guild.id}:${parent.id}`);
  });

  it('answers help, list and status privately', async () => {
    for (const [subcommand, options, expected] of [
      ['help', {}, 'sora-bot makes short videos'],
      ['list', {}, 'Your videos'],
      ['status', { video: 'zzzzzz' }, "can't find a video"],
    ] as const) {
      const handle = t.fake.interactions.slashCommand({ subcommand, options });
      const callback = await handle.callback;
      expect(callback.type).toBe(5);
      expect((callback.data as { flags: number }).flags & EPHEMERAL).toBe(EPHEMERAL);
      const edit = await t.fake.waitFor(() =>
        t.fake.recorder.messageWrites.find(
          (w) => w.messageId === handle.record.originalMessageId && w.kind === 'webhook-edit',
        ),
      );
      const message = t.fake.message(edit.messageId)!;
      expect(JSON.stringify([message.content, message.embeds])).toContain(expected);
    }
    expect(mentioningWrites(t.fake)).toEqual([]);
  });

  it('pages through /sora list in place with its Next button', async () => {
    // Six videos by now: two pages of five.
    await waitForJobId(
      t.fake,
      t.fake.interactions.slashCommand({ options: { prompt: 'one more for the list' } }),
    );
    const handle = t.fake.interactions.slashCommand({ subcommand: 'list', options: {} });
    const listId = await t.fake.waitFor(() => {
      const id = handle.record.originalMessageId;
      return id && t.fake.message(id)?.editedTimestamp ? id : undefined;
    });
    const first = t.fake.message(listId)!;
    expect(JSON.stringify(first.embeds)).toContain('Page 1 of 2');
    expect(customIdsOf(first)).toEqual(['sora:list:2:mine']);
    const click = t.fake.interactions.button({ customId: 'sora:list:2:mine', messageId: listId });
    expect((await click.callback).type).toBe(6);
    await t.fake.waitFor(() => JSON.stringify(t.fake.message(listId)?.embeds).includes('Page 2 of 2'));
    expect(customIdsOf(t.fake.message(listId)!)).toEqual(['sora:list:1:mine']);
  });
});
