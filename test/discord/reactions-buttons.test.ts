/**
 * Remix and delete after delivery: reactions on an uncached message (after a restart), the buttons
 * they offer, the modals, the two context menus, and who may delete. One bot (restarted once) on one
 * fake Discord; cases run in order.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StoredMessage } from '../fakes/discord/index.js';
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

/** The bot's newest message in the channel that replies to `messageId`. */
function offerFor(messageId: string, mention: string): StoredMessage | undefined {
  return t.fake
    .messagesIn(t.fake.channelId)
    .filter(
      (m) =>
        m.authorId === t.fake.bot.id &&
        m.messageReferenceId === messageId &&
        m.content.includes(`<@${mention}>`),
    )
    .at(-1);
}

it('answers 🔁 on an uncached video after a restart with a Remix button, whose modal makes a remix beside it', async () => {
  await t.restart();
  t.fake.reactionAdd({ messageId: first.message.id, userId: BOB, emoji: '🔁' });
  const offer = await t.fake.waitFor(() => offerFor(first.message.id, BOB));
  expect(customIdsOf(offer)).toEqual([`sora:remix:${first.jobId}`]);

  const click = t.fake.interactions.button({
    customId: `sora:remix:${first.jobId}`,
    messageId: offer.id,
    userId: BOB,
  });
  const modal = await click.callback;
  expect(modal.type).toBe(9);
  expect((modal.data as { custom_id: string }).custom_id).toBe(`sora:remix-modal:${first.jobId}`);

  const submit = t.fake.interactions.modalSubmit({
    customId: `sora:remix-modal:${first.jobId}`,
    fields: { prompt: 'now with snow falling' },
    messageId: offer.id,
    userId: BOB,
  });
  expect((await submit.callback).type).toBe(5);
  const jobId = await waitForJobId(t.fake, submit);
  const message = await waitForDelivery(t.fake, jobId);
  expect(message.channelId).toBe(first.message.channelId);
  expect(message.content).toContain(`remix of ${first.jobId}`);
  expect((await t.bot.core.jobRecord(jobId))?.request.remixOf).toBe(first.jobId);
  remix = { jobId, message };
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

it('offers deletion for ❌ only to the requester, and the offered button deletes the video', async () => {
  t.fake.reactionAdd({ messageId: first.message.id, userId: BOB, emoji: '❌' });
  t.fake.reactionAdd({ messageId: first.message.id, userId: ALICE, emoji: '❌' });
  const offer = await t.fake.waitFor(() => offerFor(first.message.id, ALICE));
  expect(customIdsOf(offer)).toEqual([`sora:delete:${first.jobId}`]);
  // Bob's ❌ came first and got nothing.
  expect(offerFor(first.message.id, BOB)?.content).not.toContain('delete');

  const click = t.fake.interactions.button({
    customId: `sora:delete:${first.jobId}`,
    messageId: offer.id,
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
  expect(video.content).toContain('from an image');
  expect(video.content).toContain('720x1280');

  const noImage = t.fake.seedMessage({ authorId: BOB, content: 'no picture here' });
  const declined = await t.fake.interactions.messageCommand({
    name: 'Animate with Sora',
    messageId: noImage.id,
  }).callback;
  expect(declined.type).toBe(4);
  expect(mentioningWrites(t.fake)).toEqual([]);
});
