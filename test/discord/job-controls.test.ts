/**
 * Issue 12, items 2 and 3 in Discord, over the wire-level fake and the embedded emulator: the message
 * with the video (and a failure) pings the requester and nobody else (`allowed_mentions` names only
 * them, nothing parsed; edits never ping), `/sora settings notify:off` stops it; Cancel on a status
 * message (anyone else is answered privately, a double press cancels once, the job is never sent),
 * Retry on a failure and Again on a delivered video, each one new job per double press, after a
 * restart of the bot on the same DATA_DIR. A 12-second video waits for an admin, so it stays queued.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FAIL_MARKER } from '../../src/sora/emulator/index.js';
import type { InteractionHandle, StoredMessage } from '../fakes/discord/index.js';
import {
  customIdsOf,
  type DiscordTestBot,
  jobsInChannel,
  mentioningWrites,
  pingingWrites,
  startDiscordTestBot,
  until,
  waitForDelivery,
  waitForJobId,
} from './discord-test-bot.js';

const ALICE = '100000000000000001';
const BOB = '100000000000000002';
const EPHEMERAL = 1 << 6;
const LOADING = 1 << 7;

let t: DiscordTestBot;
let delivered: { jobId: string; message: StoredMessage };

beforeAll(async () => {
  t = await startDiscordTestBot({
    fake: {
      users: [
        { id: ALICE, username: 'alice' },
        { id: BOB, username: 'bob' },
      ],
    },
    env: { SORA_APPROVAL_ABOVE: '1' },
  });
});

afterAll(async () => {
  await t?.close();
});

/** The private answer to an interaction: a filled ephemeral defer. */
async function privateAnswer(handle: InteractionHandle): Promise<string> {
  const callback = await handle.callback;
  expect((callback.data as { flags?: number } | null)?.flags ?? 0).toBe(EPHEMERAL);
  const message = await t.fake.waitFor(() => {
    const found = t.fake.message(handle.record.originalMessageId ?? '');
    return found && !(found.flags & LOADING) ? found : undefined;
  }, 20_000);
  return message.content;
}

function generate(prompt: string, seconds = 4, userId = ALICE) {
  return t.fake.interactions.slashCommand({ userId, options: { prompt, seconds } });
}

function press(customId: string, messageId: string, userId = ALICE) {
  return t.fake.interactions.button({ customId, messageId, userId });
}

/** The channel message created for `messageId` (the bot's send, with its allowed_mentions). */
function creationOf(messageId: string) {
  return t.fake.recorder.messageWrites.find((w) => w.messageId === messageId && w.kind === 'channel-create');
}

/** The failure the bot posted for a job. */
function failureOf(jobId: string): Promise<StoredMessage> {
  return t.fake.waitFor(
    () =>
      t.fake
        .messagesIn(t.fake.channelId)
        .find((m) => m.authorId === t.fake.bot.id && m.content.includes('⚠️') && m.content.includes(jobId)),
    20_000,
  );
}

/** The jobs of the channel with this prompt, but `except`. */
async function othersWithPrompt(prompt: string, except: string) {
  return (await jobsInChannel(t.bot, t.fake)).filter((j) => j.prompt === prompt && j.id !== except);
}

it('pings the requester, and only them, with the delivered video; Again sits beside Remix and Delete', async () => {
  const handle = generate('a red kite over a beach');
  const jobId = await waitForJobId(t.fake, handle);
  const message = await waitForDelivery(t.fake, jobId);
  delivered = { jobId, message };
  expect(message.content).toContain(`<@${ALICE}>`);
  expect(creationOf(message.id)?.allowedMentions).toEqual({ parse: [], users: [ALICE] });
  expect(customIdsOf(message)).toEqual([
    `sora:remix:${jobId}`,
    `sora:again:${jobId}`,
    `sora:delete:${jobId}`,
  ]);
  // The status message's edits ping nobody; the one ping is the video's message.
  expect(pingingWrites(t.fake).map((w) => w.messageId)).toEqual([message.id]);
  expect(mentioningWrites(t.fake)).toEqual([]);
});

it('stops the ping for someone who turns it off with /sora settings notify:off', async () => {
  const off = t.fake.interactions.slashCommand({
    userId: ALICE,
    subcommand: 'settings',
    options: { notify: 'off' },
  });
  expect(await privateAnswer(off)).toContain("I won't mention you");
  const handle = generate('a blue kite at dusk');
  const jobId = await waitForJobId(t.fake, handle);
  const message = await waitForDelivery(t.fake, jobId);
  expect(creationOf(message.id)?.allowedMentions).toEqual({ parse: [] });
  const on = t.fake.interactions.slashCommand({
    userId: ALICE,
    subcommand: 'settings',
    options: { notify: 'on' },
  });
  expect(await privateAnswer(on)).toContain("I'll mention you");
  expect(mentioningWrites(t.fake)).toEqual([]);
});

it('cancels a queued job once for its requester, never sends it, and refuses anyone else privately', async () => {
  const handle = generate('a comet held for an admin', 12);
  const jobId = await waitForJobId(t.fake, handle);
  const statusId = handle.record.originalMessageId!;
  await t.fake.waitFor(() => customIdsOf(t.fake.message(statusId)!).includes(`sora:cancel:${jobId}`));

  expect(await privateAnswer(press(`sora:cancel:${jobId}`, statusId, BOB))).toContain(
    `Only the person who asked for \`${jobId}\` or an admin can cancel it.`,
  );
  expect((await t.bot.core.jobRecord(jobId))?.state).toMatch(/^(accepted|waiting)$/);

  const answers = await Promise.all([
    privateAnswer(press(`sora:cancel:${jobId}`, statusId)),
    privateAnswer(press(`sora:cancel:${jobId}`, statusId)),
  ]);
  expect(answers.filter((a) => a.includes('before it was sent: nothing was spent'))).toHaveLength(1);
  expect(answers.filter((a) => a.includes('is already cancelled'))).toHaveLength(1);
  const status = await t.fake.waitFor(() => {
    const m = t.fake.message(statusId);
    return m?.content.includes('Cancelled by') ? m : undefined;
  });
  expect(customIdsOf(status)).toEqual([]);
  expect(await t.bot.core.jobRecord(jobId)).toMatchObject({
    state: 'deleted',
    submitStartedAt: null,
    providerVideoId: null,
  });
});

it('after a restart: Retry on a failure and Again on a video each make one new job with the same request', async () => {
  const prompt = `a kite that will not fly ${FAIL_MARKER}`;
  const handle = generate(prompt, 8);
  const jobId = await waitForJobId(t.fake, handle);
  const failure = await failureOf(jobId);
  expect(failure.content.startsWith(`<@${ALICE}> `)).toBe(true);
  expect(creationOf(failure.id)?.allowedMentions).toEqual({ parse: [], users: [ALICE] });
  expect(customIdsOf(failure)).toEqual([`sora:retry:${jobId}`]);

  await t.restart();
  expect(await privateAnswer(press(`sora:retry:${jobId}`, failure.id, BOB))).toContain(
    `Only the person who asked for \`${jobId}\` or an admin can retry it.`,
  );
  const retried = await Promise.all([
    privateAnswer(press(`sora:retry:${jobId}`, failure.id)),
    privateAnswer(press(`sora:retry:${jobId}`, failure.id)),
  ]);
  expect(retried.filter((a) => a.includes('the same request as'))).toHaveLength(1);
  expect(retried.filter((a) => a.includes('Already started'))).toHaveLength(1);
  const made = await until(async () => {
    const found = await othersWithPrompt(prompt, jobId);
    return found.length > 0 && found;
  });
  expect(made).toHaveLength(1);
  expect(made[0]).toMatchObject({ seconds: '8', prompt });

  await Promise.all([
    privateAnswer(press(`sora:again:${delivered.jobId}`, delivered.message.id, BOB)),
    privateAnswer(press(`sora:again:${delivered.jobId}`, delivered.message.id, BOB)),
  ]);
  const again = await until(async () => {
    const found = await othersWithPrompt('a red kite over a beach', delivered.jobId);
    return found.length > 0 && found;
  });
  expect(again).toHaveLength(1);
  const video = await waitForDelivery(t.fake, again[0]!.id);
  // Bob pressed Again: the new render is his, and the ping is his.
  expect(creationOf(video.id)?.allowedMentions).toEqual({ parse: [], users: [BOB] });
  expect(mentioningWrites(t.fake)).toEqual([]);
});
