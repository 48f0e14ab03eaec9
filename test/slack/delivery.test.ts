/**
 * Delivery into Slack threads: a 429 during the upload is waited out, a refused upload falls back to
 * the still, a delivery cut off after the share is found (not repeated) after a restart from its file
 * id alone, and a bot stopped mid-render and started again on the same DATA_DIR posts the video once,
 * in the thread.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackSurface } from '../../adapters/slack/slack-surface.js';
import { StatusEditBudget } from '../../adapters/slack/status-edit-budget.js';
import { silentLogger } from '../../src/core/logger.js';
import type { JobView } from '../../src/core/messages.js';
import { SurfaceError } from '../../src/core/surface.js';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { EMULATOR_API_KEY } from '../../src/sora/index.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { ALICE, ALL_SCOPES, CHANNEL, SlackHarness } from './slack-harness.js';

function blockText(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

describe('delivery against a live bot', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('waits out a 429 on each upload step and delivers once', async () => {
    h.fake.faults.rateLimit('files.getUploadURLExternal', { retryAfterSec: 1, count: 1 });
    h.fake.faults.rateLimit('files.completeUploadExternal', { retryAfterSec: 1, count: 1 });
    await h.command('a hot air balloon over fields').ack;
    const post = await h.fake.waitForCall('chat.postMessage', (c) =>
      blockText(c.args.blocks).includes('hot air balloon'),
    );
    const job = await h.jobByParent(String(post.response.ts));
    const delivered = await h.waitFor(job.id, ['delivered', 'failed']);
    expect(delivered.state).toBe('delivered');
    expect(h.fake.faults.servedCount('files.getUploadURLExternal')).toBe(1);
    expect(h.fake.faults.servedCount('files.completeUploadExternal')).toBe(1);
    const completed = h.fake.recorder.succeeded('files.completeUploadExternal');
    expect(completed).toHaveLength(1);
    expect(completed[0]?.args.thread_ts).toBe(post.response.ts);
    const files = h.fake.workspace.thread(CHANNEL, String(post.response.ts)).filter((m) => m.files?.length);
    expect(files).toHaveLength(1);
    // The message that shared the file is one of the delivery's refs, indexed by the core: a reaction
    // on the video finds the job without reading the thread.
    const shareRef = `${h.fake.options.teamId}:${CHANNEL}:${files[0]!.ts}`;
    expect(delivered.deliveredOtherRefs).toContain(shareRef);
    expect((await h.core.jobForMessage('slack', shareRef))?.id).toBe(job.id);
  });

  it('posts in a public channel it was never invited to, joining it for edits and the upload', async () => {
    h.fake.workspace.addChannel({ id: 'C0RANDOM001', name: 'random', kind: 'public', botIsMember: false });
    await h.command('a kettle whistling', { channel: 'C0RANDOM001' }).ack;
    const post = await h.fake.waitForCall('chat.postMessage', (c) =>
      blockText(c.args.blocks).includes('kettle'),
    );
    expect(post.response.ok).toBe(true);
    const job = await h.jobByParent(String(post.response.ts), 'C0RANDOM001');
    expect((await h.waitFor(job.id, ['delivered', 'failed'])).state).toBe('delivered');
    expect(h.fake.recorder.succeeded('conversations.join').map((c) => c.args.channel)).toContain(
      'C0RANDOM001',
    );
    const complete = h.fake.recorder
      .succeeded('files.completeUploadExternal')
      .find((c) => String(c.args.initial_comment).includes('kettle'));
    expect(complete?.args).toMatchObject({ channel_id: 'C0RANDOM001', thread_ts: post.response.ts });
    // The bot runs on the emulator (SORA_PROVIDER=emulator): the caption says the video is a stand-in.
    expect(String(complete?.args.initial_comment)).toContain('Emulator stand-in, not a Sora render.');
  });

  it('posts the still with an explanation when the workspace refuses the video', async () => {
    h.fake.workspace.setUploadPolicy({ maxBytes: 60_000 });
    try {
      await h.command('a waterfall in a jungle --seconds 8').ack;
      const post = await h.fake.waitForCall('chat.postMessage', (c) =>
        blockText(c.args.blocks).includes('waterfall'),
      );
      const job = await h.jobByParent(String(post.response.ts));
      const done = await h.waitFor(job.id, ['delivered', 'failed']);
      expect(done.state).toBe('delivered');
      const refused = h.fake
        .calls('files.completeUploadExternal')
        .find((c) => c.response.error === 'file_upload_size_restricted');
      expect(refused).toBeDefined();
      // The refused video was never shared: it is removed, not left in the bot's files.
      const refusedId = String((refused?.args.files as { id: string }[] | undefined)?.[0]?.id);
      await h.until(() => h.fake.workspace.file(refusedId) === undefined);
      const still = h.fake.recorder
        .succeeded('files.completeUploadExternal')
        .find((c) => String(c.args.initial_comment).includes('waterfall'));
      expect(String(still?.args.initial_comment)).toContain('limits the size of uploads');
      const stillFile = h.fake.workspace.file(
        String((still?.args.files as { id: string }[] | undefined)?.[0]?.id),
      );
      expect(stillFile?.name).toBe(`sora-${job.id}-still.webp`);
      expect(still?.args.thread_ts).toBe(post.response.ts);
    } finally {
      h.fake.workspace.setUploadPolicy({ maxBytes: undefined });
    }
  });
});

describe('exactly once across a restart', () => {
  let fake: FakeSlack;
  let emulator: RunningEmulator;
  let dataDir: string;
  beforeAll(async () => {
    fake = await startFakeSlack({ scopes: ALL_SCOPES });
    emulator = await startEmulator({ renderMs: 1_500, apiKey: EMULATOR_API_KEY });
    dataDir = mkdtempSync(join(tmpdir(), 'sora-slack-restart-'));
  });
  afterAll(async () => {
    await fake?.close();
    await emulator?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds a video shared after a crash from its file id alone, without reading the thread or uploading again', async () => {
    const h = await SlackHarness.start({ fake, emulator, dataDir });
    try {
      await cutOffDelivery(h);
    } finally {
      await h.stop();
    }
  });

  async function cutOffDelivery(h: SlackHarness): Promise<void> {
    const surface = h.adapter.surface;
    const view: JobView = {
      id: 'zzzzzz',
      prompt: 'a crash test',
      seconds: '4',
      size: '720x1280',
      model: 'sora-2',
      state: 'delivering',
      progress: 100,
      requesterUser: ALICE,
      requesterName: 'alice',
      remixOf: null,
      hasImage: false,
      createdAt: Date.now(),
      failureCode: null,
    };
    const status = {
      kind: 'status' as const,
      job: view,
      phase: 'queued' as const,
      progress: 0,
      queuePosition: 1,
      etaMs: 0,
    };
    const thread = await surface.startJob(`slack:${fake.options.teamId}:${CHANNEL}`, status);
    const videoPath = join(dataDir, 'fake-video.mp4');
    writeFileSync(videoPath, Buffer.alloc(4096, 7));
    const delivery = {
      jobId: view.id,
      conversation: thread.conversation,
      videoPath,
      videoBytes: 4096,
      thumbnail: async () => null,
      message: {
        kind: 'result' as const,
        job: view,
        notes: [],
        actions: [
          { kind: 'remix' as const, jobId: view.id, label: 'Remix' },
          { kind: 'delete' as const, jobId: view.id, label: 'Delete' },
        ],
      },
    };
    const parentTs = thread.conversation.split(':')[3]!;
    const videosInThread = () =>
      fake.workspace.thread(CHANNEL, parentTs).filter((m) => m.files?.some((f) => f.mode !== 'tombstone'));
    // Slack shares the upload a little later, and the buttons' post fails: the process "dies" there,
    // with the file id recorded and nothing else.
    // (The harness gives the surface 500 ms for a share to show; this one takes 1.5 s.)
    fake.workspace.setUploadPolicy({ share: 1_500 });
    fake.faults.failWith('chat.postMessage', 'internal_error', 1);
    let facts: Record<string, string> = {};
    const progress = {
      checkpoint: async (more: Readonly<Record<string, string>>) => {
        facts = { ...facts, ...more };
      },
    };
    try {
      await expect(surface.deliverVideo(delivery, progress)).rejects.toBeInstanceOf(SurfaceError);
    } finally {
      fake.workspace.setUploadPolicy({ share: 'immediate' });
    }
    expect(Object.keys(facts)).toEqual(['fileId']);
    expect(fake.recorder.succeeded('files.completeUploadExternal')).toHaveLength(1);

    // A fresh surface (a restarted process) asks files.info about that file and finds its share.
    const budget = new StatusEditBudget({ perMinute: 45, burst: 5, logger: silentLogger });
    const restarted = new SlackSurface({
      slack: h.adapter.slack,
      budget,
      logger: silentLogger,
      shareSettleMs: 1_500,
    });
    const found = await restarted.findDelivery(thread.conversation, view.id, facts);
    const share = videosInThread()[0];
    expect(share).toBeDefined();
    expect(found).toEqual({
      messageRef: `${fake.options.teamId}:${CHANNEL}:${share!.ts}`,
      otherRefs: [`file:${facts.fileId}`],
    });
    expect(await restarted.findDelivery(thread.conversation, view.id, facts)).toEqual(found);
    expect(fake.recorder.succeeded('files.completeUploadExternal')).toHaveLength(1);
    expect(videosInThread()).toHaveLength(1);
    // The thread is never read: conversations.replies is throttled for apps outside the Marketplace.
    expect(fake.calls('conversations.replies')).toHaveLength(0);
    // A job whose delivery never reached its checkpoint costs no API call to check.
    const calls = fake.calls().length;
    expect(await restarted.findDelivery(thread.conversation, 'yyyyyy', {})).toBeUndefined();
    expect(fake.calls()).toHaveLength(calls);
    budget.close();
  }

  it('delivers once into the right thread when the bot stops mid-render and starts again', async () => {
    const first = await SlackHarness.start({ fake, emulator, dataDir });
    const before = fake.recorder.succeeded('files.completeUploadExternal').length;
    await first.command('a comet over the mountains', { user: ALICE }).ack;
    const post = await fake.waitForCall('chat.postMessage', (c) =>
      blockText(c.args.blocks).includes('a comet'),
    );
    const parentTs = String(post.response.ts);
    const job = await first.jobByParent(parentTs);
    await first.waitFor(job.id, ['submitted', 'rendering']);
    await first.stop();
    // Stopped before the render finished: nothing was uploaded yet.
    expect(fake.recorder.succeeded('files.completeUploadExternal')).toHaveLength(before);

    const second = await SlackHarness.start({ fake, emulator, dataDir });
    try {
      const delivered = await second.waitFor(job.id, ['delivered', 'failed']);
      expect(delivered.state).toBe('delivered');
      const uploads = fake.recorder.succeeded('files.completeUploadExternal').slice(before);
      expect(uploads).toHaveLength(1);
      expect(uploads[0]?.args.thread_ts).toBe(parentTs);
      const videos = fake.workspace.thread(CHANNEL, parentTs).filter((m) => m.files?.length);
      expect(videos).toHaveLength(1);
      // The parent's final edit follows the delivery.
      await second.until(() => fake.workspace.message(CHANNEL, parentTs)?.text.includes('Done'));
    } finally {
      await second.stop();
    }
  });
});
