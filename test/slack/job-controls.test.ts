/**
 * Issue 12, items 2 and 3 in Slack, end to end over Socket Mode against the fake Slack and the
 * emulator: the requester is mentioned (`<@U…>`) in the message that tells them their video is ready
 * or failed, `/sora settings notify off` stops that and SORA_NOTIFY=none stops it for everyone; Cancel
 * on a status message (a queued job is never sent, a rendering one is deleted at the provider, anyone
 * else is answered privately and nothing changes, a double click cancels once), Retry on a failure and
 * Again on a delivered video (a new job with the same request, one per double click), all also after
 * a restart of the bot on the same DATA_DIR. At most one render runs at a time, so a second job waits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/core/job.js';
import { dollars } from '../../src/core/pricing.js';
import { FAIL_MARKER, type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { EMULATOR_API_KEY } from '../../src/sora/index.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { ADMIN, ALICE, ALL_SCOPES, BOB, CHANNEL, SlackHarness } from './slack-harness.js';

let fake: FakeSlack;
let emulator: RunningEmulator;
let dataDir: string;
let h: SlackHarness;
const SETTINGS = { maxConcurrent: 1 };
/** A 12-second video waits for an admin (and so is never sent while nobody approves it). */
const BUDGETS = { approvalAbove: dollars(1) };

beforeAll(async () => {
  fake = await startFakeSlack({
    scopes: ALL_SCOPES,
    users: [
      { id: ALICE, name: 'alice' },
      { id: BOB, name: 'bob' },
      { id: ADMIN, name: 'root', isAdmin: true, isOwner: true },
    ],
  });
  // Long enough to press Cancel while a render runs; the press waits for the state, not for time.
  emulator = await startEmulator({ renderMs: 1_500, apiKey: EMULATOR_API_KEY });
  dataDir = mkdtempSync(join(tmpdir(), 'sora-slack-controls-'));
  h = await SlackHarness.start({ fake, emulator, dataDir, settings: SETTINGS, budgets: BUDGETS });
});

afterAll(async () => {
  await h?.stop();
  await fake?.close();
  await emulator?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

type Body = { text: string; blocks: unknown; response_type?: string };

function blockText(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

async function answerTo(responseUrl: string): Promise<Body> {
  await h.until(() => fake.workspace.responseUrlPosts(responseUrl).length > 0);
  return fake.workspace.responseUrlPosts(responseUrl)[0]?.body as Body;
}

async function ask(text: string, user = ALICE): Promise<Body> {
  const { payload, ack } = h.command(text, { user });
  await ack;
  return answerTo(payload.response_url ?? '');
}

/** `/sora PROMPT` as Alice: the status message's ts and the job. */
async function generate(prompt: string): Promise<{ ts: string; job: Job }> {
  const { ack } = h.command(prompt);
  await ack;
  const words = prompt.split(' --')[0]!;
  const post = await fake.waitForCall('chat.postMessage', (c) => blockText(c.args.blocks).includes(words));
  const ts = String(post.response.ts);
  return { ts, job: await h.jobByParent(ts) };
}

/** A click on a button of the message at `ts` (the value is the job id, as the bot encodes it). */
function press(ts: string, actionId: string, jobId: string, user = ALICE) {
  const payload = fake.payloads.blockActions({
    channel: CHANNEL,
    messageTs: ts,
    actions: [{ action_id: actionId, value: jobId }],
    userId: user,
  });
  return { payload, answer: fake.socket.sendInteractive(payload).then(() => answerTo(payload.response_url)) };
}

/** The message under a delivered video (its buttons), as posted. */
async function controlsOf(jobId: string) {
  const post = await fake.waitForCall(
    'chat.postMessage',
    (c) =>
      (c.args.metadata as { event_payload?: { job_id?: string } } | undefined)?.event_payload?.job_id ===
      jobId,
  );
  return { text: String(post.args.text), blocks: blockText(post.args.blocks), ts: String(post.response.ts) };
}

/** The failure posted in a job's thread. */
async function failurePostOf(jobId: string) {
  const post = await fake.waitForCall(
    'chat.postMessage',
    (c) => blockText(c.args.blocks).includes('⚠️') && blockText(c.args.blocks).includes(`\`${jobId}\``),
  );
  return { text: String(post.args.text), blocks: blockText(post.args.blocks), ts: String(post.response.ts) };
}

/** Jobs of the channel with this prompt other than `except`, newest first. */
async function othersWithPrompt(prompt: string, except: string) {
  return (await h.jobsInChannel()).filter((j) => j.prompt === prompt && j.id !== except);
}

let delivered: Job;

describe('a ping when it is done', () => {
  it('mentions the requester with the delivered video, beside Remix, Again and Delete', async () => {
    const { job } = await generate('a paper boat on a pond');
    delivered = await h.waitFor(job.id, ['delivered']);
    const controls = await controlsOf(job.id);
    expect(controls.text).toContain(`<@${ALICE}> your video ${job.id} is ready`);
    expect(controls.blocks).toContain(`<@${ALICE}>`);
    for (const id of ['sora_remix', 'sora_again', 'sora_delete']) expect(controls.blocks).toContain(id);
    // The caption (from the prompt) never carries a mention, and nobody else is mentioned anywhere.
    const complete = await fake.waitForCall('files.completeUploadExternal', (c) =>
      String(c.args.initial_comment).includes('paper boat'),
    );
    expect(String(complete.args.initial_comment)).not.toContain('<@');
  });

  it('stops mentioning someone who says /sora settings notify off, until they say on', async () => {
    const off = await ask('settings notify off');
    expect(off.response_type).toBe('ephemeral');
    expect(off.text).toContain("I won't mention you");
    expect((await ask('settings')).text).toContain('Notifications: off');
    // Another shape after `settings` is a prompt, not a setting.
    const { job } = await generate('settings of an old western town');
    expect(job.request.prompt).toBe('settings of an old western town');
    await h.waitFor(job.id, ['delivered']);
    const controls = await controlsOf(job.id);
    expect(controls.text).not.toContain('<@');
    expect(controls.blocks).not.toContain('<@');
    // A setting of the wrong shape is answered in the command's ack, with the form.
    const maybe = await h.command('settings notify maybe').ack;
    expect(String((maybe.payload as { text?: string } | undefined)?.text)).toContain(
      '/sora settings notify off',
    );
    expect((await ask('settings notify on')).text).toContain("I'll mention you");
  });
});

describe('Cancel', () => {
  it('never sends a queued job, deletes a rendering one at the provider, refuses others privately, once per double click', async () => {
    const first = await generate('a slow sunrise over dunes');
    await h.waitFor(first.job.id, ['rendering', 'submitted']);
    const second = await generate('a moon that waits its turn');
    expect((await h.core.jobRecord(second.job.id))?.state).toBe('waiting');
    expect(blockText(fake.workspace.message(CHANNEL, second.ts)?.blocks)).toContain('sora_cancel');

    // Bob did not ask for it: he alone hears so, and the job keeps waiting.
    const bob = await press(second.ts, 'sora_cancel', second.job.id, BOB).answer;
    expect(bob.response_type).toBe('ephemeral');
    expect(bob.text).toContain(
      `Only the person who asked for \`${second.job.id}\` or an admin can cancel it.`,
    );
    expect((await h.core.jobRecord(second.job.id))?.state).toBe('waiting');

    // A double click: one cancel, and the second press hears it is done already.
    const answers = await Promise.all([
      press(second.ts, 'sora_cancel', second.job.id).answer,
      press(second.ts, 'sora_cancel', second.job.id).answer,
    ]);
    const texts = answers.map((a) => a.text).sort();
    expect(texts.filter((t) => t.includes('before it was sent: nothing was spent'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('is already cancelled'))).toHaveLength(1);
    await h.until(() =>
      fake.workspace.message(CHANNEL, second.ts)?.text.includes('Cancelled by alice before it was sent'),
    );
    expect(blockText(fake.workspace.message(CHANNEL, second.ts)?.blocks)).not.toContain('sora_cancel');

    // The rendering one: deleted at the provider, charged (the provider had it).
    const rendering = await h.core.jobRecord(first.job.id);
    expect(rendering?.providerVideoId).toBeTruthy();
    const stopped = await press(first.ts, 'sora_cancel', first.job.id).answer;
    expect(stopped.text).toContain(`Cancelled \`${first.job.id}\`: the render is stopped at Sora.`);
    await h.until(() => !emulator.videos().some((v) => v.id === rendering!.providerVideoId));
    await h.until(() =>
      fake.workspace.message(CHANNEL, first.ts)?.text.includes('the render was stopped at Sora'),
    );

    // The slot is free again: the next job goes through, and the cancelled one was never sent.
    const third = await generate('a lantern after the cancels');
    await h.waitFor(third.job.id, ['delivered']);
    const cancelled = await h.core.jobRecord(second.job.id);
    expect(cancelled).toMatchObject({ state: 'deleted', submitStartedAt: null, providerVideoId: null });
    expect(cancelled?.cancelledAt).toEqual(expect.any(Number));
    expect(emulator.videos().some((v) => v.prompt === 'a moon that waits its turn')).toBe(false);
    await h.until(async () => (await h.core.costOf(second.job.id))?.outcome === 'refunded');
    await h.until(async () => (await h.core.costOf(first.job.id))?.outcome === 'charged');
  });
});

describe('Retry and Again, after a restart', () => {
  it('makes one new job with the same request per button, whoever double-clicks; Retry is for the requester', async () => {
    const prompt = `a kite that will not fly ${FAIL_MARKER}`;
    const { job } = await generate(`${prompt} --seconds 8`);
    const failed = await h.waitFor(job.id, ['failed']);
    const failure = await failurePostOf(job.id);
    expect(failure.text.startsWith(`<@${ALICE}> `)).toBe(true);
    expect(failure.blocks).toContain('sora_retry');
    // Held for an admin across the restart: Cancel on it afterwards, and it is never sent.
    const held = await generate('a comet held for an admin --seconds 12');
    expect(held.job.approval?.state).toBe('pending');
    expect(blockText(fake.workspace.message(CHANNEL, held.ts)?.blocks)).toContain('sora_cancel');

    await h.stop();
    h = await SlackHarness.start({ fake, emulator, dataDir, settings: SETTINGS, budgets: BUDGETS });

    const cancel = await press(held.ts, 'sora_cancel', held.job.id).answer;
    expect(cancel.text).toContain(`Cancelled \`${held.job.id}\` before it was sent`);
    expect(await h.core.jobRecord(held.job.id)).toMatchObject({ state: 'deleted', submitStartedAt: null });
    await h.until(() => fake.workspace.message(CHANNEL, held.ts)?.text.includes('Cancelled by alice'));

    const refused = await press(failure.ts, 'sora_retry', job.id, BOB).answer;
    expect(refused.text).toContain(`Only the person who asked for \`${job.id}\` or an admin can retry it.`);
    const retries = await Promise.all([
      press(failure.ts, 'sora_retry', job.id).answer,
      press(failure.ts, 'sora_retry', job.id).answer,
    ]);
    const made = await h.until(async () => {
      const found = await othersWithPrompt(prompt, job.id);
      return found.length > 0 ? found : undefined;
    });
    expect(made).toHaveLength(1);
    const retry = (await h.core.jobRecord(made[0]!.id))!;
    expect(retry.request).toMatchObject({
      prompt: failed.request.prompt,
      seconds: '8',
      size: failed.request.size,
      model: failed.request.model,
    });
    expect(retry.conversation).toBe(failed.conversation);
    const said = retries.map((a) => a.text);
    expect(
      said.filter((t) => t.includes(`Started \`${retry.id}\`, the same request as \`${job.id}\``)),
    ).toHaveLength(1);
    expect(said.filter((t) => t.includes(`Already started: \`${retry.id}\``))).toHaveLength(1);

    // Again on the video delivered before the restart: its prompt and options, a new render.
    const controls = await controlsOf(delivered.id);
    await Promise.all([
      press(controls.ts, 'sora_again', delivered.id, BOB).answer,
      press(controls.ts, 'sora_again', delivered.id, BOB).answer,
    ]);
    const again = await h.until(async () => {
      const found = await othersWithPrompt(delivered.request.prompt, delivered.id);
      return found.length > 0 ? found : undefined;
    });
    expect(again).toHaveLength(1);
    const render = await h.waitFor(again[0]!.id, ['delivered']);
    expect(render.request).toMatchObject({
      prompt: delivered.request.prompt,
      seconds: delivered.request.seconds,
      size: delivered.request.size,
      model: delivered.request.model,
    });
    expect(render.requester.user).toBe(BOB);
    expect((await controlsOf(render.id)).text).toContain(`<@${BOB}>`);
  });
});

describe('SORA_NOTIFY=none', () => {
  it('mentions nobody, on a delivery or a failure', async () => {
    await h.stop();
    h = await SlackHarness.start({
      fake,
      emulator,
      dataDir,
      settings: { ...SETTINGS, notify: 'none' },
      budgets: BUDGETS,
    });
    const ok = await generate('a quiet harbour at noon');
    await h.waitFor(ok.job.id, ['delivered']);
    const controls = await controlsOf(ok.job.id);
    expect(controls.text).not.toContain('<@');
    const bad = await generate(`a storm that breaks ${FAIL_MARKER}`);
    await h.waitFor(bad.job.id, ['failed']);
    const failure = await failurePostOf(bad.job.id);
    expect(failure.text).not.toContain('<@');
    expect(failure.blocks).not.toContain('<@');
  });
});
