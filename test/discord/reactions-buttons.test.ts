/**
 * Remix and delete after delivery: reactions on an uncached message (after a restart), answered in a
 * DM with a button (or, for someone who accepts no DMs, one public reply that mentions no one), once a
 * minute per person, message and action; the buttons and modal pressed in the DM; the two context
 * menus; and who may delete (the owner, SORA_ADMINS, Manage Server at the guild level). One bot
 * (restarted once) on one fake Discord; cases run in order.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Permission, type StoredMessage } from '../fakes/discord/index.js';
import { makeImage } from '../media/image-fixtures.js';
import {
  customIdsOf,
  type DiscordTestBot,
  mentioningWrites,
  startDiscordTestBot,
  until,
  waitForDelivery,
  waitForJobId,
} from './discord-test-bot.js';

const ALICE = '100000000000000001';
const BOB = '100000000000000002';
const CAROL = '100000000000000003';
/** Accepts no DMs from the bot. */
const DAVE = '100000000000000004';
/** Has a role with Manage Server: an admin, guild-level. */
const ERIN = '100000000000000005';
/** Has Manage Messages in the channel only (a member overwrite): not an admin. */
const FRANK = '100000000000000006';
const EPHEMERAL = 1 << 6;

let t: DiscordTestBot;
let first: { jobId: string; message: StoredMessage };
let remix: { jobId: string; message: StoredMessage };

beforeAll(async () => {
  t = await startDiscordTestBot({
    fake: {
      users: [
        { id: ALICE, username: 'alice' },
        { id: BOB, username: 'bob' },
        { id: CAROL, username: 'carol' },
        { id: DAVE, username: 'dave', dmsClosed: true },
        { id: ERIN, username: 'erin' },
        { id: FRANK, username: 'frank' },
      ],
      guilds: [
        {
          roles: [{ name: 'Server admins', permissions: Permission.ManageGuild, members: [ERIN] }],
          channels: [
            {
              name: 'general',
              overwrites: [{ id: FRANK, type: 1, allow: Permission.ManageMessages, deny: 0n }],
            },
          ],
        },
      ],
    },
    env: { SORA_ADMINS: `discord:${CAROL}` },
  });
  const handle = t.fake.interactions.slashCommand({
    userId: ALICE,
    options: { prompt: 'a lighthouse at dusk' },
  });
  const jobId = await waitForJobId(t.fake, handle);
  first = { jobId, message: await waitForDelivery(t.fake, jobId) };
});

afterAll(async () => {
  await t?.close();
});

/** The bot's DMs to a person that carry a button with this custom_id. */
function dmOffers(userId: string, customId: string): StoredMessage[] {
  return t.fake
    .dmsOf(userId)
    .filter((m) => m.authorId === t.fake.bot.id && customIdsOf(m).includes(customId));
}

/** The bot's public replies to a message (what a reaction's answer used to be). */
function publicReplies(messageId: string): StoredMessage[] {
  return t.fake
    .messagesIn(t.fake.channelId)
    .filter((m) => m.authorId === t.fake.bot.id && m.messageReferenceId === messageId);
}

/** Lets any reaction still being handled finish (the bot answers a reaction within milliseconds). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

it('answers 🔁 on an uncached video after a restart in a DM with a Remix button, whose modal makes a remix in the channel', async () => {
  await t.restart();
  t.fake.reactionAdd({ messageId: first.message.id, userId: BOB, emoji: '🔁' });
  const [offer] = await t.fake.waitFor(() => {
    const found = dmOffers(BOB, `sora:remix:${first.jobId}`);
    return found.length > 0 && found;
  });
  expect(offer!.content).toContain(`<#${t.fake.channelId}>`);
  expect(publicReplies(first.message.id)).toEqual([]);
  const dm = t.fake.dmChannelOf(BOB)!.id;

  const click = t.fake.interactions.button({
    customId: `sora:remix:${first.jobId}`,
    messageId: offer!.id,
    channelId: dm,
    userId: BOB,
  });
  const modal = await click.callback;
  expect(modal.type).toBe(9);
  expect((modal.data as { custom_id: string }).custom_id).toBe(`sora:remix-modal:${first.jobId}`);

  const submit = t.fake.interactions.modalSubmit({
    customId: `sora:remix-modal:${first.jobId}`,
    fields: { prompt: 'now with snow falling' },
    messageId: offer!.id,
    channelId: dm,
    userId: BOB,
  });
  const deferred = await submit.callback;
  expect(deferred.type).toBe(5);
  expect((deferred.data as { flags: number }).flags & EPHEMERAL).toBe(EPHEMERAL);
  const answer = await t.fake.waitFor(
    () => t.fake.message(submit.record.originalMessageId!)?.content || undefined,
  );
  const jobId = /as `([2-9a-hjkmnp-z]{6})`/.exec(answer)?.[1];
  expect(jobId, answer).toBeDefined();
  const message = await waitForDelivery(t.fake, jobId!);
  expect(message.channelId).toBe(first.message.channelId);
  expect(message.content).toContain(`remix of ${first.jobId}`);
  const record = await t.bot.core.jobRecord(jobId!);
  expect(record?.request.remixOf).toBe(first.jobId);
  expect(record?.requester.user).toBe(BOB);
  // The ledger records the delivered message just after Discord answered the upload.
  await until(() => t.bot.core.jobForMessage('discord', `${message.channelId}:${message.id}`));
  remix = { jobId: jobId!, message };
});

it('offers Again beside Remix… in the DM, which renders the same prompt anew in the video’s channel', async () => {
  const [offer] = dmOffers(BOB, `sora:remix:${first.jobId}`);
  expect(customIdsOf(offer!)).toEqual([`sora:remix:${first.jobId}`, `sora:again:${first.jobId}`]);
  const press = t.fake.interactions.button({
    customId: `sora:again:${first.jobId}`,
    messageId: offer!.id,
    channelId: t.fake.dmChannelOf(BOB)!.id,
    userId: BOB,
  });
  const deferred = await press.callback;
  expect(deferred.type).toBe(5);
  expect((deferred.data as { flags: number }).flags & EPHEMERAL).toBe(EPHEMERAL);
  const answer = await t.fake.waitFor(
    () => t.fake.message(press.record.originalMessageId!)?.content || undefined,
  );
  const jobId = /Started `([2-9a-hjkmnp-z]{6})`/.exec(answer)?.[1];
  expect(jobId, answer).toBeDefined();
  const message = await waitForDelivery(t.fake, jobId!);
  expect(message.channelId).toBe(first.message.channelId);
  const record = await t.bot.core.jobRecord(jobId!);
  expect(record?.request.prompt).toBe((await t.bot.core.jobRecord(first.jobId))?.request.prompt);
  expect(record?.requester.user).toBe(BOB);
});

it('answers the same person’s repeated reactions on one message once a minute', async () => {
  for (let i = 0; i < 5; i++) t.fake.reactionAdd({ messageId: remix.message.id, userId: ALICE, emoji: '🔁' });
  await t.fake.waitFor(() => dmOffers(ALICE, `sora:remix:${remix.jobId}`).length > 0);
  await settle();
  expect(dmOffers(ALICE, `sora:remix:${remix.jobId}`)).toHaveLength(1);
  // Someone else reacting gets their own answer.
  t.fake.reactionAdd({ messageId: remix.message.id, userId: CAROL, emoji: '🔁' });
  await t.fake.waitFor(() => dmOffers(CAROL, `sora:remix:${remix.jobId}`).length > 0);
  expect(publicReplies(remix.message.id)).toEqual([]);
});

it('falls back to one public reply that mentions no one when the person accepts no DMs', async () => {
  for (let i = 0; i < 3; i++) t.fake.reactionAdd({ messageId: remix.message.id, userId: DAVE, emoji: '🔁' });
  const [reply] = await t.fake.waitFor(() => {
    const found = publicReplies(remix.message.id);
    return found.length > 0 && found;
  });
  await settle();
  expect(publicReplies(remix.message.id)).toHaveLength(1);
  expect(customIdsOf(reply!)).toEqual([`sora:remix:${remix.jobId}`, `sora:again:${remix.jobId}`]);
  expect(reply!.content).not.toMatch(/<@/);
  expect(t.fake.dmsOf(DAVE)).toEqual([]);
  expect(mentioningWrites(t.fake)).toEqual([]);
});

it('keeps the Delete button of a video posted before the restart working, for its owner only', async () => {
  const byBob = t.fake.interactions.button({
    customId: `sora:delete:${first.jobId}`,
    messageId: first.message.id,
    userId: BOB,
  });
  const deferred = await byBob.callback;
  expect(deferred.type).toBe(5);
  expect((deferred.data as { flags: number }).flags & EPHEMERAL).toBe(EPHEMERAL);
  const refusal = await t.fake.waitFor(
    () => t.fake.message(byBob.record.originalMessageId!)?.content || undefined,
  );
  expect(refusal).toContain('Only the person who made');
  expect((await t.bot.core.jobRecord(first.jobId))?.state).toBe('delivered');
});

it('offers deletion for ❌ only to the requester, in a DM, and the DM’s button deletes the video', async () => {
  t.fake.reactionAdd({ messageId: first.message.id, userId: BOB, emoji: '❌' });
  // Manage Messages granted in this channel only does not make Frank an admin.
  t.fake.reactionAdd({ messageId: first.message.id, userId: FRANK, emoji: '❌' });
  t.fake.reactionAdd({ messageId: first.message.id, userId: ALICE, emoji: '❌' });
  const [offer] = await t.fake.waitFor(() => {
    const found = dmOffers(ALICE, `sora:delete:${first.jobId}`);
    return found.length > 0 && found;
  });
  await settle();
  expect(dmOffers(BOB, `sora:delete:${first.jobId}`)).toEqual([]);
  expect(dmOffers(FRANK, `sora:delete:${first.jobId}`)).toEqual([]);
  expect(publicReplies(first.message.id)).toEqual([]);

  const click = t.fake.interactions.button({
    customId: `sora:delete:${first.jobId}`,
    messageId: offer!.id,
    channelId: t.fake.dmChannelOf(ALICE)!.id,
    userId: ALICE,
  });
  expect((await click.callback).type).toBe(5);
  const answer = await t.fake.waitFor(
    () => t.fake.message(click.record.originalMessageId!)?.content || undefined,
  );
  expect(answer).toContain(`Deleted \`${first.jobId}\``);
  const video = await t.fake.waitFor(() => {
    const m = t.fake.message(first.message.id);
    return m && m.attachments.length === 0 && m;
  });
  expect(video.content).toContain('was deleted');
  expect(customIdsOf(video)).toEqual([]);
  expect((await t.bot.core.jobRecord(first.jobId))?.state).toBe('deleted');
});

it('offers deletion for ❌ to a guild-level admin (Manage Server) on someone else’s video', async () => {
  t.fake.reactionAdd({ messageId: remix.message.id, userId: ERIN, emoji: '❌' });
  await t.fake.waitFor(() => dmOffers(ERIN, `sora:delete:${remix.jobId}`).length > 0);
});

it('lets an admin from SORA_ADMINS delete anyone’s video with /sora delete', async () => {
  const handle = t.fake.interactions.slashCommand({
    userId: CAROL,
    subcommand: 'delete',
    options: { video: remix.jobId },
  });
  expect((await handle.callback).type).toBe(5);
  const answer = await t.fake.waitFor(
    () => t.fake.message(handle.record.originalMessageId!)?.content || undefined,
  );
  expect(answer).toContain(`Deleted \`${remix.jobId}\``);
});

it('opens the remix modal from "Remix with Sora" on a video, and declines other messages privately', async () => {
  const handle = t.fake.interactions.slashCommand({ userId: ALICE, options: { prompt: 'a paper boat' } });
  const jobId = await waitForJobId(t.fake, handle);
  const video = await waitForDelivery(t.fake, jobId);
  // The ledger records the delivered message just after Discord answered the upload.
  await until(() => t.bot.core.jobForMessage('discord', `${video.channelId}:${video.id}`));
  const menu = t.fake.interactions.messageCommand({
    name: 'Remix with Sora',
    messageId: video.id,
    userId: BOB,
  });
  const modal = await menu.callback;
  expect(modal.type).toBe(9);
  expect((modal.data as { custom_id: string }).custom_id).toBe(`sora:remix-modal:${jobId}`);

  const chatter = t.fake.seedMessage({ authorId: BOB, content: 'just chatting' });
  const declined = await t.fake.interactions.messageCommand({
    name: 'Remix with Sora',
    messageId: chatter.id,
  }).callback;
  expect(declined.type).toBe(4);
  expect((declined.data as { flags: number }).flags & EPHEMERAL).toBe(EPHEMERAL);
});

it('animates the picture of a message with "Animate with Sora": modal, then a video from that image', async () => {
  const png = Buffer.from(await makeImage('png', 480, 640));
  const image = t.fake.seedAttachment({
    filename: 'portrait.png',
    bytes: png,
    contentType: 'image/png',
    width: 480,
    height: 640,
  });
  const post = t.fake.seedMessage({ authorId: BOB, content: 'my drawing', attachments: [image] });
  const menu = t.fake.interactions.messageCommand({
    name: 'Animate with Sora',
    messageId: post.id,
    userId: BOB,
  });
  const modal = await menu.callback;
  expect(modal.type).toBe(9);
  const customId = (modal.data as { custom_id: string }).custom_id;
  expect(customId).toBe(`sora:animate-modal:${menu.id}`);
  const submit = t.fake.interactions.modalSubmit({
    customId,
    fields: { prompt: 'the drawing comes alive' },
    userId: BOB,
  });
  expect((await submit.callback).type).toBe(5);
  const jobId = await waitForJobId(t.fake, submit);
  const video = await waitForDelivery(t.fake, jobId);
  expect(video.content).toContain('portrait, from your image');
  expect(video.content).toContain('720x1280');

  const noImage = t.fake.seedMessage({ authorId: BOB, content: 'no picture here' });
  const declined = await t.fake.interactions.messageCommand({
    name: 'Animate with Sora',
    messageId: noImage.id,
  }).callback;
  expect(declined.type).toBe(4);
  expect(mentioningWrites(t.fake)).toEqual([]);
});
