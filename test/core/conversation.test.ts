/**
 * Scripted conversations over the real core, the real Sora client and the emulator, on both stores.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusMessage } from '../../src/core/messages.js';
import { MODERATION_TEXT } from '../../src/core/replies.js';
import { SurfaceError } from '../../src/core/surface.js';
import { CoreHarness, type StoreKind, storeKinds } from '../support/core-harness.js';
import { readMp4Info } from '../support/mp4-info.js';

let harness: CoreHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe.each<StoreKind>(storeKinds())('a conversation with the core (%s store)', (store) => {
  it('posts a status message, shows progress, and delivers a real MP4 into the thread', async () => {
    harness = await CoreHarness.start({ store, emulator: { renderMs: 400 } });
    const outcome = await harness.send('/sora a red fox running through snow --seconds 4 --landscape');
    expect(outcome.kind).toBe('job');
    if (outcome.kind !== 'job') return;
    const job = await harness.waitFor(outcome.job.id, ['delivered']);
    const status = harness.surface.messages.find((m) => m.ref === job.statusRef)!;
    await harness.until(() => (status.message as StatusMessage).phase === 'done');
    const phases = status.history.map((m) => (m as StatusMessage).phase);
    expect(phases[0]).toBe('queued');
    expect(phases).toContain('rendering');
    expect(phases.at(-1)).toBe('done');
    const progressValues = new Set(status.history.map((m) => (m as StatusMessage).progress));
    expect(progressValues.size).toBeGreaterThan(1);
    const [result] = harness.surface.results();
    expect(result!.conversation).toBe(job.conversation);
    expect(result!.conversation).toBe(`playground:room-1/${job.statusRef}`);
    expect(result!.message.actions.map((a) => a.kind)).toEqual(['remix', 'again', 'delete']);
    const info = await readMp4Info(readFileSync(result!.videoCopy!));
    expect(info).toMatchObject({ width: 1280, height: 720, hasAudio: true });
    expect(Math.abs(info.durationS - 4)).toBeLessThan(0.2);
    expect(job.deliveredRef).toBe(result!.ref);
    expect((await harness.core.jobForMessage('playground', result!.ref))?.id).toBe(job.id);
  });

  it('creates one job when the platform delivers the same command twice', async () => {
    harness = await CoreHarness.start({ store });
    const [a, b, c] = await Promise.all([
      harness.send('/sora a paper boat', { idempotencyKey: 'envelope-1' }),
      harness.send('/sora a paper boat', { idempotencyKey: 'envelope-1' }),
      harness.send('/sora a paper boat', { idempotencyKey: 'envelope-1' }),
    ]);
    const ids = [a, b, c].map((o) => (o!.kind === 'job' ? o!.job.id : undefined));
    expect(new Set(ids).size).toBe(1);
    expect([a, b, c].filter((o) => o!.kind === 'job' && !o!.duplicate)).toHaveLength(1);
    await harness.waitFor(ids[0]!, ['delivered']);
    expect(harness.emulator.videos()).toHaveLength(1);
  });

  it('lists only the requester’s videos in this workspace, and the channel’s with --all', async () => {
    harness = await CoreHarness.start({ store });
    const mine = await harness.sendJob('/sora a lighthouse', { user: 'alice' });
    const bobs = await harness.sendJob('/sora a windmill', { user: 'bob' });
    const otherWorkspace = await harness.sendJob('/sora a secret plan', {
      user: 'alice',
      workspace: 'other-team',
    });
    const list = await harness.send('/sora list', { user: 'alice' });
    expect(
      list.kind === 'reply' && list.message.kind === 'list' ? list.message.jobs.map((j) => j.id) : [],
    ).toEqual([mine]);
    const all = await harness.send('/sora list --all', { user: 'alice' });
    const allIds =
      all.kind === 'reply' && all.message.kind === 'list' ? all.message.jobs.map((j) => j.id) : [];
    expect(allIds.sort()).toEqual([mine, bobs].sort());
    expect(allIds).not.toContain(otherWorkspace);
    const status = await harness.send(`/sora status ${otherWorkspace}`, { user: 'alice' });
    expect(status.kind === 'reply' && status.message.kind).toBe('notice');
  });

  it('lets the requester and admins delete, refuses others, and deletes at the provider', async () => {
    harness = await CoreHarness.start({ store });
    const id = await harness.sendJob('/sora a teapot', { user: 'alice' });
    const job = await harness.waitFor(id, ['delivered']);
    const refused = await harness.send(`/sora delete ${id}`, { user: 'mallory' });
    expect(refused.kind === 'reply' && refused.message.kind === 'notice' && refused.message.text).toMatch(
      /Only the person/,
    );
    expect((await harness.core.jobRecord(id))!.state).toBe('delivered');
    const byAdmin = await harness.send(`/sora delete ${id}`, { user: 'admin-user' });
    expect(byAdmin.kind === 'reply' && byAdmin.message.kind === 'notice' && byAdmin.message.tone).toBe(
      'success',
    );
    expect((await harness.core.jobRecord(id))!.state).toBe('deleted');
    expect(harness.emulator.videos().find((v) => v.id === job.providerVideoId)).toBeUndefined();
    const delivered = harness.surface.messages.find((m) => m.ref === job.deliveredRef)!;
    expect(delivered.message.kind).toBe('notice');
    const again = await harness.send(`/sora status ${id}`, { user: 'alice' });
    expect(again.kind === 'reply' && again.message.kind).toBe('notice');
  });

  it('remixes a delivered video into the same thread', async () => {
    harness = await CoreHarness.start({ store });
    const id = await harness.sendJob('/sora a cat on a skateboard --seconds 4');
    const parent = await harness.waitFor(id, ['delivered']);
    const outcome = await harness.core.run({
      requester: { platform: 'playground', workspace: 'local', user: 'bob' },
      channel: 'playground:room-1',
      conversation: parent.conversation,
      intent: { kind: 'remix', jobId: id, prompt: 'make it rain' },
    });
    expect(outcome.kind).toBe('job');
    if (outcome.kind !== 'job') return;
    const remix = await harness.waitFor(outcome.job.id, ['delivered']);
    expect(remix.request).toMatchObject({
      kind: 'remix',
      remixOf: id,
      seconds: '4',
      size: parent.request.size,
    });
    const video = await harness.provider.retrieve(remix.providerVideoId!);
    expect(video.remixed_from_video_id).toBe(parent.providerVideoId);
    expect(harness.surface.results().map((r) => r.conversation)).toContain(parent.conversation);
  });
});

describe('the core without a second store', () => {
  it('reports a moderation refusal in plain words in the thread', async () => {
    harness = await CoreHarness.start();
    const id = await harness.sendJob('/sora mickey mouse dancing');
    const job = await harness.waitFor(id, ['failed']);
    expect(job.failure?.code).toBe('moderation_blocked');
    const failure = await harness.until(() =>
      harness!.surface.messages.find((m) => m.message.kind === 'failure'),
    );
    expect(failure?.conversation).toBe(job.conversation);
    expect(failure?.message.kind === 'failure' && failure.message.text).toBe(MODERATION_TEXT);
  });

  it('answers usage mistakes with a message and creates nothing', async () => {
    harness = await CoreHarness.start();
    for (const text of [
      '/sora',
      '/sora a fox --seconds 7',
      '/sora a fox --size 1792x1024',
      '/sora a fox --wat',
    ]) {
      const outcome = await harness.send(text);
      expect(outcome.kind).toBe('reply');
    }
    expect(harness.emulator.videos()).toHaveLength(0);
  });

  it('never runs more jobs at the provider than SORA_MAX_CONCURRENT and serves requesters fairly', async () => {
    harness = await CoreHarness.start({ settings: { maxConcurrent: 1 }, emulator: { renderMs: 120 } });
    // Queue everything while the loops are paused, so the order is the queue's choice, not arrival timing.
    await harness.core.stop();
    const alice = [];
    for (let i = 0; i < 3; i++) alice.push(await harness.sendJob(`/sora alice clip ${i}`, { user: 'alice' }));
    const bob = await harness.sendJob('/sora bob clip', { user: 'bob' });
    await harness.core.start();
    const jobs = await Promise.all([...alice, bob].map((id) => harness!.waitFor(id, ['delivered'])));
    const order = [...jobs].sort((a, b) => a.submittedAt! - b.submittedAt!).map((j) => j.id);
    // Bob's only job goes right after Alice's first, not after all three of hers.
    expect(order.indexOf(bob)).toBeLessThanOrEqual(1);
    for (let i = 1; i < jobs.length; i++) {
      const sorted = [...jobs].sort((a, b) => a.submittedAt! - b.submittedAt!);
      expect(sorted[i]!.submittedAt!).toBeGreaterThanOrEqual(sorted[i - 1]!.completedAt!);
    }
  });

  it('treats a provider 429 as back-pressure: every job is delivered, none fails', async () => {
    harness = await CoreHarness.start({
      settings: { maxConcurrent: 4 },
      emulator: { renderMs: 150, maxRunning: 1 },
    });
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await harness.sendJob(`/sora clip ${i}`, { user: `user${i}` }));
    const jobs = await Promise.all(ids.map((id) => harness!.waitFor(id, ['delivered', 'failed'])));
    expect(jobs.map((j) => j.state)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
  });

  it('shows the queue position while waiting', async () => {
    harness = await CoreHarness.start({ settings: { maxConcurrent: 1 }, emulator: { renderMs: 300 } });
    const first = await harness.sendJob('/sora one', { user: 'a' });
    const second = await harness.sendJob('/sora two', { user: 'b' });
    const job = await harness.waitFor(second, ['waiting', 'submitted', 'rendering', 'delivered']);
    const status = harness.surface.messages.find((m) => m.ref === job.statusRef)!;
    const queued = status.history.filter((m) => (m as StatusMessage).phase === 'queued') as StatusMessage[];
    expect(queued.some((m) => m.queuePosition !== null && m.queuePosition >= 1)).toBe(true);
    await harness.waitFor(first, ['delivered']);
    await harness.waitFor(second, ['delivered']);
  });

  it('batches status reads through the list endpoint when many jobs render at once', async () => {
    harness = await CoreHarness.start({
      settings: { maxConcurrent: 8, pollBatchThreshold: 3 },
      emulator: { renderMs: 600 },
    });
    const ids = [];
    for (let i = 0; i < 8; i++) ids.push(await harness.sendJob(`/sora batch ${i}`, { user: `u${i}` }));
    await Promise.all(ids.map((id) => harness!.waitFor(id, ['delivered'])));
    expect(harness.core.pollStats().listCalls).toBeGreaterThan(0);
  });

  it('reports a delivery the platform refuses, with its reason', async () => {
    harness = await CoreHarness.start();
    harness.surface.failDeliveries = new SurfaceError(
      'upload_refused',
      'This workspace does not allow file uploads.',
    );
    const id = await harness.sendJob('/sora a kite');
    const job = await harness.waitFor(id, ['failed']);
    expect(job.failure).toMatchObject({
      code: 'delivery_failed',
      message: 'This workspace does not allow file uploads.',
    });
  });

  it('tells the person when the status message cannot be posted, and keeps nothing queued', async () => {
    harness = await CoreHarness.start();
    harness.surface.failStart = new SurfaceError('not_in_channel', 'Invite me first: /invite @sora-bot');
    const outcome = await harness.send('/sora a kite');
    expect(outcome.kind === 'reply' && outcome.message.kind === 'failure' && outcome.message.text).toMatch(
      /Invite me/,
    );
    expect(harness.emulator.videos()).toHaveLength(0);
  });

  it('refuses sizes Azure cannot render before spending anything', async () => {
    harness = await CoreHarness.start({ providerKind: 'azure' });
    const pro = await harness.send('/sora a fox --pro');
    expect(pro.kind === 'reply' && pro.message.kind === 'notice' && pro.message.text).toMatch(
      /isn't available on Azure/,
    );
    const id = await harness.sendJob('/sora a fox --portrait');
    expect((await harness.waitFor(id, ['delivered'])).request.size).toBe('720x1280');
  });

  it('removes stored videos after the retention period and keeps the job', async () => {
    harness = await CoreHarness.start({ settings: { retentionMs: 1 } });
    const id = await harness.sendJob('/sora a short-lived clip');
    await harness.waitFor(id, ['delivered']);
    await harness.core.stop();
    await harness.core.start();
    for (let i = 0; i < 100; i++) {
      if ((await harness.core.jobRecord(id))?.filesRemovedAt) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const job = await harness.core.jobRecord(id);
    expect(job?.filesRemovedAt).not.toBeNull();
    expect(job?.files.video).toBeNull();
  });
});
