/**
 * The bot's DM over the fake Slack, end to end (real Bolt over Socket Mode, the real core and store,
 * the emulator): a message is a prompt with the `/sora` grammar; the video comes back in a thread
 * under it; a picture attached is animated (downloaded with the bot token from Slack's file URL);
 * `list` answers in the thread; the bot's own messages, edits and thread replies start nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidPng } from '../cli/fixtures.js';
import type { RecordedCall } from '../fakes/slack/index.js';
import { ALICE, BOB, SlackHarness } from './slack-harness.js';

let h: SlackHarness;

beforeAll(async () => {
  h = await SlackHarness.start();
});

afterAll(async () => {
  await h?.close();
});

function text(value: unknown): string {
  return JSON.stringify(value ?? []);
}

/** The first call of `method` that `matches`, once it has been made (the test's timeout is the limit). */
function callOf(method: string, matches: (c: RecordedCall) => boolean): Promise<RecordedCall> {
  return h.until(
    () => h.fake.calls(method).find(matches),
    () => `a ${method} call that matches`,
  );
}

/** Sends a person's DM and returns its channel and ts. */
async function sendDm(input: { text: string; user?: string; files?: Record<string, unknown>[] }) {
  const payload = h.fake.home.payloads.directMessage({
    text: input.text,
    userId: input.user ?? ALICE,
    ...(input.files ? { files: input.files } : {}),
  });
  await h.fake.socket.sendEvent(payload);
  return { channel: payload.event.channel, ts: payload.event.ts, eventId: payload.event_id };
}

describe('a message in the bot DM', () => {
  it('is a prompt: the status and the video go into a thread under it', async () => {
    const typed = 'a paper lantern drifting over a <b>lake</b> & @here --seconds 4';
    const dm = await sendDm({ text: h.fake.payloads.escapeLikeSlack(typed) });
    expect(dm.channel).toMatch(/^D/);
    const status = await callOf(
      'chat.postMessage',
      (c) =>
        c.args.channel === dm.channel &&
        c.args.thread_ts === dm.ts &&
        text(c.args.blocks).includes('lantern'),
    );
    const job = await h.jobByParent(String(status.response.ts), dm.channel);
    expect(job.conversation).toBe(`slack:${h.fake.options.teamId}:${dm.channel}:${dm.ts}`);
    expect(job.channel).toBe(`slack:${h.fake.options.teamId}:${dm.channel}`);
    expect(job.requester).toMatchObject({ platform: 'slack', user: ALICE });
    // Slack sends `&`, `<`, `>` escaped and `@here` as markup: the prompt is what was typed.
    expect(job.request.prompt).toBe('a paper lantern drifting over a <b>lake</b> & @here');
    await h.waitFor(job.id, ['delivered']);
    const share = await callOf(
      'files.completeUploadExternal',
      (c) => c.args.channel_id === dm.channel && c.args.thread_ts === dm.ts,
    );
    expect(String(share.args.initial_comment)).not.toContain('<!here>');
    const thread = h.fake.workspace.thread(dm.channel, dm.ts);
    expect(thread[0]?.user).toBe(ALICE);
    expect(thread.some((m) => m.files?.length)).toBe(true);
    expect(thread.some((m) => text(m.blocks).includes('sora_remix'))).toBe(true);
  });

  it('with a picture attached animates it (image to video)', async () => {
    const image = h.fake.workspace.seedFile({
      name: 'kite.png',
      bytes: solidPng(1600, 900, [200, 60, 40]),
      mimetype: 'image/png',
      user: BOB,
    });
    const downloadsBefore = h.fake.workspace.downloads().length;
    const dm = await sendDm({ text: 'make the kite fly', user: BOB, files: [image] });
    const status = await callOf(
      'chat.postMessage',
      (c) =>
        c.args.channel === dm.channel && c.args.thread_ts === dm.ts && text(c.args.blocks).includes('kite'),
    );
    expect(text(status.args.blocks)).toContain('landscape, from your image');
    const job = await h.jobByParent(String(status.response.ts), dm.channel);
    expect(job.request.imagePath).not.toBeNull();
    expect(job.request).toMatchObject({ size: '1280x720', sizeFrom: 'image' });
    const fetched = h.fake.workspace.downloads().slice(downloadsBefore);
    expect(fetched).toContainEqual(expect.objectContaining({ fileId: image.id, authorized: true }));
    await h.waitFor(job.id, ['delivered']);
  });

  it('refuses a picture stored outside Slack without fetching it', async () => {
    const external = h.fake.workspace.seedFile({
      name: 'drive.png',
      bytes: solidPng(10, 10, [0, 0, 0]),
      user: ALICE,
      external: { url: 'https://drive.example.com/drive.png' },
    });
    const downloadsBefore = h.fake.workspace.downloads().length;
    const dm = await sendDm({ text: 'animate this', files: [external] });
    const answer = await callOf(
      'chat.postMessage',
      (c) => c.args.channel === dm.channel && c.args.thread_ts === dm.ts,
    );
    expect(text(answer.args.blocks)).toContain("I can't fetch files stored outside Slack");
    expect(h.fake.workspace.downloads().slice(downloadsBefore)).toEqual([]);
    expect((await h.jobsInChannel(dm.channel)).map((j) => j.prompt)).not.toContain('animate this');
  });

  it('`list` answers in the thread with the person’s videos', async () => {
    const dm = await sendDm({ text: 'list' });
    const answer = await callOf(
      'chat.postMessage',
      (c) => c.args.channel === dm.channel && c.args.thread_ts === dm.ts,
    );
    expect(text(answer.args.blocks)).toContain('Your videos');
    expect(text(answer.args.blocks)).toContain('lantern');
    // Bob's video is Bob's.
    expect(text(answer.args.blocks)).not.toContain('kite');
    // A command makes no job.
    expect(
      (await h.core.overview({ platform: 'slack', workspace: h.fake.options.teamId, user: ALICE }, 50)).total,
    ).toBe(1);
  });

  it('a picture alone is answered with what to send', async () => {
    const image = h.fake.workspace.seedFile({
      name: 'cat.png',
      bytes: solidPng(10, 10, [0, 0, 0]),
      user: ALICE,
    });
    const dm = await sendDm({ text: '', files: [image] });
    const answer = await callOf(
      'chat.postMessage',
      (c) => c.args.channel === dm.channel && c.args.thread_ts === dm.ts,
    );
    expect(text(answer.args.blocks)).toContain('Send me a prompt');
  });

  it("ignores the bot's own messages, edits and thread replies", async () => {
    const jobsBefore = (
      await h.core.overview({ platform: 'slack', workspace: h.fake.options.teamId, user: ALICE }, 50)
    ).total;
    const { payloads } = h.fake.home;
    // What Slack echoes when the bot posts in the DM (a status message, say): it reads like a prompt.
    const own = payloads.botDirectMessage({ userId: ALICE, text: 'a cat playing the piano' });
    await h.fake.socket.sendEvent(own);
    const edit = payloads.messageChanged({
      userId: ALICE,
      ts: own.event.ts,
      text: 'a dog playing the drums',
    });
    await h.fake.socket.sendEvent(edit);
    const parent = await sendDm({ text: 'help' });
    const reply = payloads.directMessage({ userId: ALICE, text: 'thanks, a horse too', threadTs: parent.ts });
    await h.fake.socket.sendEvent(reply);
    // A later message is answered: everything sent before it has been through the listener.
    const last = await sendDm({ text: 'help' });
    await callOf('chat.postMessage', (c) => c.args.channel === last.channel && c.args.thread_ts === last.ts);
    await callOf(
      'chat.postMessage',
      (c) => c.args.channel === parent.channel && c.args.thread_ts === parent.ts,
    );
    const answeredThreads = h.fake
      .calls('chat.postMessage')
      .filter((c) => c.args.channel === parent.channel)
      .map((c) => c.args.thread_ts);
    expect(answeredThreads).not.toContain(own.event.ts);
    expect(answeredThreads).not.toContain(edit.event.ts);
    expect(h.fake.calls('chat.postMessage').filter((c) => c.args.thread_ts === parent.ts)).toHaveLength(1);
    const prompts = (await h.jobsInChannel(parent.channel)).map((j) => j.prompt);
    expect(prompts.join('\n')).not.toMatch(/piano|drums|horse/);
    const jobsAfter = (
      await h.core.overview({ platform: 'slack', workspace: h.fake.options.teamId, user: ALICE }, 50)
    ).total;
    expect(jobsAfter).toBe(jobsBefore);
  });

  it('makes one job from a redelivered event', async () => {
    const payload = h.fake.home.payloads.directMessage({ userId: BOB, text: 'a lighthouse at dawn' });
    const first = await h.fake.socket.sendEvent(payload);
    await h.fake.socket.redeliver(first.envelopeId, { retryAttempt: 1, retryReason: 'timeout' });
    const status = await callOf('chat.postMessage', (c) =>
      text(c.args.blocks).includes('lighthouse at dawn'),
    );
    const job = await h.jobByParent(String(status.response.ts), payload.event.channel);
    await h.waitFor(job.id, ['delivered']);
    const jobs = await h.jobsInChannel(payload.event.channel);
    expect(jobs.filter((j) => j.prompt === 'a lighthouse at dawn')).toHaveLength(1);
  });
});
