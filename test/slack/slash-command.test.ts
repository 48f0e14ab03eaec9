/**
 * `/sora` end to end: real Bolt over Socket Mode against the fake Slack, the core on the emulator.
 * The ack, the parent message, progress edits, the streamed three-step upload into the thread, the
 * buttons under the video, escaping, duplicate envelopes, usage problems, list and delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMp4Info } from '../support/mp4-info.js';
import { ADMIN, ALICE, BOB, CHANNEL, SlackHarness } from './slack-harness.js';

let h: SlackHarness;

beforeAll(async () => {
  h = await SlackHarness.start();
});

afterAll(async () => {
  await h?.close();
});

function blockText(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

describe('/sora over Socket Mode', () => {
  it('acks, posts a parent message, edits its progress, and streams the MP4 into the thread', async () => {
    const { ack } = h.command('a paper boat sailing down a rainy street --landscape');
    const acked = await ack;
    expect(typeof acked.ackMs).toBe('number');
    // An empty ack: the parent message in the channel is the answer.
    expect(acked.payload ?? {}).toEqual({});

    const parentCall = await h.fake.waitForCall('chat.postMessage', (c) => c.args.channel === CHANNEL);
    const parentTs = String(parentCall.response.ts);
    expect(parentCall.args.thread_ts).toBeUndefined();
    expect(blockText(parentCall.args.blocks)).toContain('a paper boat sailing down a rainy street');
    expect(blockText(parentCall.args.blocks)).toContain('1280x720');
    const job = await h.jobByParent(parentTs);
    expect(job.conversation).toBe(`slack:${h.fake.options.teamId}:${CHANNEL}:${parentTs}`);
    expect(job.requester).toMatchObject({
      platform: 'slack',
      workspace: h.fake.options.teamId,
      user: ALICE,
      displayName: 'alice',
    });

    const delivered = await h.waitFor(job.id, ['delivered']);
    const step1 = await h.fake.waitForCall('files.getUploadURLExternal');
    expect(step1.args.filename).toBe(`sora-${job.id}.mp4`);
    const fileId = String(step1.response.file_id);
    const upload = h.fake.workspace.uploads().find((u) => u.fileId === fileId);
    expect(upload?.contentType).toBe('application/octet-stream');
    expect(Number(step1.args.length)).toBe(upload?.bytes);
    const step3 = await h.fake.waitForCall('files.completeUploadExternal');
    expect(step3.args).toMatchObject({ channel_id: CHANNEL, thread_ts: parentTs });
    expect(step3.args.files).toEqual([{ id: fileId, title: `Sora video ${job.id}` }]);
    expect(String(step3.args.initial_comment)).toContain('a paper boat sailing down a rainy street');
    expect(String(step3.args.initial_comment)).toContain(job.id);
    const mp4 = await readMp4Info(new Uint8Array(h.fake.workspace.uploadedBytes(fileId)!));
    expect({ width: mp4.width, height: mp4.height }).toEqual({ width: 1280, height: 720 });

    // The thread: the parent, the video, then the buttons (their message is the delivered ref).
    const thread = h.fake.workspace.thread(CHANNEL, parentTs);
    const videoMessage = thread.find((m) => m.files?.some((f) => f.id === fileId));
    expect(videoMessage?.thread_ts).toBe(parentTs);
    const controls = thread.find((m) => blockText(m.blocks).includes('sora_remix'));
    expect(controls).toBeDefined();
    expect(delivered.deliveredRef).toBe(`${h.fake.options.teamId}:${CHANNEL}:${controls?.ts}`);
    expect(blockText(controls?.blocks)).toContain('sora_delete');

    // Progress went to the parent message; its last edit says done.
    const edits = h.fake.calls('chat.update').filter((c) => c.args.ts === parentTs);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    await h.until(() => h.fake.workspace.message(CHANNEL, parentTs)?.text.includes('Done'));
    expect(h.logText()).not.toContain(h.fake.options.botToken);
    expect(h.logText()).not.toContain(h.fake.options.appToken);
  });

  it('escapes a prompt that tries to ping the channel', async () => {
    // As Slack sends it with should_escape: `@channel` and `@root` as markup, typed `<`/`&` as entities.
    const { ack } = h.command('<!channel> look at <@U0ADMIN0001|root> &amp; friends &lt;@U0ADMIN0001&gt;');
    await ack;
    const post = await h.fake.waitForCall('chat.postMessage', (c) =>
      blockText(c.args.blocks).includes('friends'),
    );
    const all = `${String(post.args.text)} ${blockText(post.args.blocks)}`;
    expect(all).toContain('@channel look at @root &amp; friends &lt;@U0ADMIN0001&gt;');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@U0ADMIN0001');
    const job = await h.jobByParent(String(post.response.ts));
    // The provider gets what the person typed; only Slack output is escaped.
    expect(job.request.prompt).toBe('@channel look at @root & friends <@U0ADMIN0001>');
    await h.waitFor(job.id, ['delivered']);
    const complete = await h.fake.waitForCall('files.completeUploadExternal', (c) =>
      String(c.args.initial_comment).includes('friends'),
    );
    expect(String(complete.args.initial_comment)).toContain('&lt;@U0ADMIN0001&gt;');
    expect(String(complete.args.initial_comment)).not.toContain('<!channel>');
    expect(String(complete.args.initial_comment)).not.toContain('<@');
  });

  it('makes one job from a redelivered envelope', async () => {
    const before = h.fake.calls('chat.postMessage').length;
    const { ack } = h.command('a lighthouse in a storm');
    const first = await ack;
    const second = await h.fake.socket.redeliver(first.envelopeId, {
      retryAttempt: 1,
      retryReason: 'timeout',
    });
    expect(second.delivery).toBe(2);
    const post = await h.fake.waitForCall('chat.postMessage', (c) =>
      blockText(c.args.blocks).includes('lighthouse'),
    );
    const job = await h.jobByParent(String(post.response.ts));
    await h.waitFor(job.id, ['delivered']);
    const parents = h.fake
      .calls('chat.postMessage')
      .slice(before)
      .filter((c) => blockText(c.args.blocks).includes('lighthouse'));
    expect(parents).toHaveLength(1);
    const jobs = await h.jobsInChannel();
    expect(jobs.filter((j) => j.prompt === 'a lighthouse in a storm')).toHaveLength(1);
  });

  it('answers a usage problem in the ack, ephemerally', async () => {
    const { ack } = h.command('a fox --seconds 7');
    const acked = await ack;
    expect(acked.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(String((acked.payload as { text: string }).text)).toMatch(/seconds/);
  });

  it('opens the modal for /sora with no text', async () => {
    await h.command('').ack;
    const open = await h.fake.waitForCall(
      'views.open',
      (c) => (c.args.view as { callback_id?: string }).callback_id === 'sora_generate',
    );
    expect(open.response.ok).toBe(true);
    const view = open.args.view as { private_metadata: string; blocks: { block_id?: string }[] };
    expect(JSON.parse(view.private_metadata)).toEqual({ c: `slack:${h.fake.options.teamId}:${CHANNEL}` });
    expect(view.blocks.map((b) => b.block_id)).toEqual([
      'prompt',
      'seconds',
      'size',
      'model',
      'estimate',
      'fit',
      'image',
    ]);
  });

  it('lists privately, and lets the owner or an admin delete but not someone else', async () => {
    const { payload, ack } = h.command('list');
    await ack;
    await h.until(() => h.fake.workspace.responseUrlPosts(payload.response_url).length > 0);
    const list = h.fake.workspace.responseUrlPosts(payload.response_url)[0]?.body as {
      response_type: string;
      blocks: unknown;
    };
    expect(list.response_type).toBe('ephemeral');
    expect(blockText(list.blocks)).toContain('Your videos');
    expect(blockText(list.blocks)).toContain('lighthouse');

    const jobs = await h.jobsInChannel();
    const lighthouse = jobs.find((j) => j.prompt === 'a lighthouse in a storm')!;
    const bob = h.command(`delete ${lighthouse.id}`, { user: BOB });
    await bob.ack;
    await h.until(() => h.fake.workspace.responseUrlPosts(bob.payload.response_url).length > 0);
    expect(blockText(h.fake.workspace.responseUrlPosts(bob.payload.response_url)[0]?.body)).toContain(
      'Only the person who made',
    );
    expect((await h.core.jobRecord(lighthouse.id))?.state).toBe('delivered');

    const admin = h.command(`delete ${lighthouse.id}`, { user: ADMIN });
    await admin.ack;
    await h.waitFor(lighthouse.id, ['deleted']);
    await h.until(() => h.fake.workspace.responseUrlPosts(admin.payload.response_url).length > 0);
    expect(blockText(h.fake.workspace.responseUrlPosts(admin.payload.response_url)[0]?.body)).toContain(
      'Deleted',
    );
    // The buttons are replaced by a note; the video file and the message that shared it are gone.
    const record = await h.core.jobRecord(lighthouse.id);
    const [teamId, channel, ts] = String(record?.deliveredRef ?? '').split(':');
    expect(teamId).toBe(h.fake.options.teamId);
    await h.until(() => h.fake.workspace.message(channel!, ts!)?.text.includes('deleted'));
    const removed = await h.fake.waitForCall('files.delete');
    expect(removed.response.ok).toBe(true);
    expect(record?.deliveredOtherRefs).toContain(`file:${removed.args.file}`);
    expect(h.fake.workspace.file(String(removed.args.file))).toBeUndefined();
    await h.until(
      () =>
        !h.fake.workspace.messages(channel!).some((m) => m.files?.some((f) => f.id === removed.args.file)),
    );
  });

  it("says ephemerally how to invite the bot when it can't post in the channel", async () => {
    h.fake.workspace.addChannel({ id: 'G0SECRET001', name: 'secret', kind: 'private', botIsMember: false });
    const { payload, ack } = h.command('a secret garden', { channel: 'G0SECRET001' });
    await ack;
    await h.until(() => h.fake.workspace.responseUrlPosts(payload.response_url).length > 0);
    const reply = h.fake.workspace.responseUrlPosts(payload.response_url)[0]?.body as {
      response_type: string;
    };
    expect(reply.response_type).toBe('ephemeral');
    expect(blockText(reply)).toContain('/invite @sora-bot');
  });

  it('explains that it cannot post in a direct message between other people', async () => {
    h.fake.workspace.addChannel({ id: 'D0PEOPLE001', name: 'alice-bob', kind: 'im', botIsMember: false });
    const { payload, ack } = h.command('a quiet chat', { channel: 'D0PEOPLE001' });
    await ack;
    await h.until(() => h.fake.workspace.responseUrlPosts(payload.response_url).length > 0);
    const reply = h.fake.workspace.responseUrlPosts(payload.response_url)[0]?.body;
    expect(blockText(reply)).toContain('direct message between other people');
    expect(blockText(reply)).not.toContain('/invite');
  });
});
