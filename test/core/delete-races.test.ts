/**
 * Delete always wins, at every step, on both stores: a real core, the real client against the real
 * emulator, with one call held at a gate while the delete happens.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveredVideo, DeliveryProgress, VideoDelivery } from '../../src/core/surface.js';
import { SoraError } from '../../src/sora/errors.js';
import { CoreHarness, type StoreKind, storeKinds } from '../support/core-harness.js';
import { Gate, gatedProvider, type ProviderGates } from '../support/gates.js';
import { RecordingSurface } from '../support/recording-surface.js';

/** Posts the video, then waits at `gate` before telling the core (a long upload). */
class SlowUploadSurface extends RecordingSurface {
  gate: Gate | undefined;
  gateBeforeCheckpoint: Gate | undefined;
  override async deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo> {
    await this.gateBeforeCheckpoint?.pass();
    const delivered = await super.deliverVideo(delivery, progress);
    await this.gate?.pass();
    return delivered;
  }
}

let harness: CoreHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const stores: StoreKind[] = storeKinds();

describe.each(stores)('delete wins (%s store)', (store) => {
  it('a queued job deleted while the job ahead is being submitted is never sent', async () => {
    const gates: ProviderGates = { beforeCreate: new Map([['the job ahead', new Gate()]]) };
    harness = await CoreHarness.start({
      store,
      settings: { maxConcurrent: 1 },
      wrapProvider: (p) => gatedProvider(p, gates),
    });
    const ahead = await harness.sendJob('/sora the job ahead');
    await gates.beforeCreate!.get('the job ahead')!.reached;
    const queued = await harness.sendJob('/sora the queued job', { user: 'bob' });
    await harness.waitFor(queued, ['waiting']);
    const answer = await harness.send(`/sora delete ${queued}`, { user: 'bob' });
    expect(answer.kind === 'reply' && answer.message.kind === 'notice' && answer.message.tone).toBe(
      'success',
    );
    gates.beforeCreate!.get('the job ahead')!.open();
    await harness.waitFor(ahead, ['delivered']);
    const deleted = await harness.core.jobRecord(queued);
    expect(deleted?.state).toBe('deleted');
    expect(deleted?.submitAttempts).toBe(0);
    expect(deleted?.providerVideoId).toBeNull();
    expect(harness.emulator.videos().map((v) => v.prompt)).toEqual(['the job ahead']);
  });

  it('a job deleted while its create is on the way: the render is deleted as soon as it exists, nothing posted', async () => {
    const gates: ProviderGates = {
      afterCreate: new Map([['a race with the create', new Gate()]]),
    };
    harness = await CoreHarness.start({
      store,
      settings: { maxConcurrent: 1 },
      wrapProvider: (p) => gatedProvider(p, gates),
    });
    const id = await harness.sendJob('/sora a race with the create');
    await gates.afterCreate!.get('a race with the create')!.reached;
    // The provider has the job now, but the bot has not heard back yet.
    expect(harness.emulator.videos()).toHaveLength(1);
    await harness.send(`/sora delete ${id}`);
    gates.afterCreate!.get('a race with the create')!.open();
    await harness.until(async () => harness!.emulator.videos().length === 0);
    const job = await harness.until(async () => {
      const j = await harness!.core.jobRecord(id);
      return j?.providerVideoId && j.cleanupDoneAt ? j : undefined;
    });
    expect(job.state).toBe('deleted');
    // Its slot is free again: the next job goes through with a cap of one.
    const next = await harness.sendJob('/sora the next one');
    await harness.waitFor(next, ['delivered']);
    expect(harness.surface.results().map((m) => m.message.job.id)).toEqual([next]);
  });

  it('a job deleted during its download posts nothing and leaves no file', async () => {
    const gates: ProviderGates = { beforeDownload: new Gate() };
    harness = await CoreHarness.start({ store, wrapProvider: (p) => gatedProvider(p, gates) });
    const id = await harness.sendJob('/sora a download race');
    await gates.beforeDownload!.reached;
    await harness.send(`/sora delete ${id}`);
    gates.beforeDownload!.open();
    const job = await harness.until(async () => {
      const j = await harness!.core.jobRecord(id);
      return j?.cleanupDoneAt ? j : undefined;
    });
    expect(job.state).toBe('deleted');
    expect(job.files.video).toBeNull();
    // Give the delivery loop a moment: nothing may be posted.
    await new Promise((r) => setTimeout(r, 300));
    expect(harness.surface.results()).toHaveLength(0);
    expect(harness.emulator.videos()).toHaveLength(0);
  });

  it('a job deleted during its upload: what got posted is replaced by the note, the job stays deleted', async () => {
    const surface = new SlowUploadSurface();
    surface.gate = new Gate();
    harness = await CoreHarness.start({ store, surface });
    const id = await harness.sendJob('/sora an upload race');
    await surface.gate.reached;
    const posted = harness.surface.results().find((m) => m.message.job.id === id);
    expect(posted).toBeDefined();
    await harness.send(`/sora delete ${id}`);
    surface.gate.open();
    await harness.until(() => (posted!.message as { kind: string }).kind === 'notice');
    await new Promise((r) => setTimeout(r, 200));
    const job = await harness.core.jobRecord(id);
    expect(job?.state).toBe('deleted');
    expect(job?.deliveredAt).toBeNull();
    expect(job?.deliveredRef).toBe(posted!.ref);
    expect(job?.files.video ? existsSync(job.files.video) : false).toBe(false);
  });

  it('a job deleted before its upload became visible is never posted', async () => {
    const surface = new SlowUploadSurface();
    surface.gateBeforeCheckpoint = new Gate();
    harness = await CoreHarness.start({ store, surface });
    const id = await harness.sendJob('/sora deleted before the upload');
    await surface.gateBeforeCheckpoint.reached;
    await harness.send(`/sora delete ${id}`);
    surface.gateBeforeCheckpoint.open();
    await harness.until(async () => (await harness!.core.jobRecord(id))?.cleanupDoneAt);
    await new Promise((r) => setTimeout(r, 300));
    expect(harness.surface.results()).toHaveLength(0);
    expect((await harness.core.jobRecord(id))?.state).toBe('deleted');
  });

  it('a delete whose provider call fails is finished later by the cleanup (resumable)', async () => {
    const deleteError = { current: undefined as Error | undefined };
    harness = await CoreHarness.start({ store, wrapProvider: (p) => gatedProvider(p, { deleteError }) });
    const id = await harness.sendJob('/sora a clip to remove later');
    await harness.waitFor(id, ['delivered']);
    deleteError.current = new SoraError({ code: 'server', message: 'provider outage', status: 503 });
    const answer = await harness.send(`/sora delete ${id}`);
    expect(answer.kind === 'reply' && answer.message.kind === 'notice' && answer.message.tone).toBe(
      'success',
    );
    const pending = await harness.core.jobRecord(id);
    expect(pending?.state).toBe('deleted');
    expect(pending?.cleanupDoneAt).toBeNull();
    expect(harness.emulator.videos()).toHaveLength(1);
    // The outage ends; the cleanup loop (every few seconds, or at the next start) finishes the job.
    deleteError.current = undefined;
    harness.core.wake();
    await harness.until(async () => (await harness!.core.jobRecord(id))?.cleanupDoneAt);
    expect(harness.emulator.videos()).toHaveLength(0);
    const message = harness.surface.messages.find((m) => m.ref === pending?.deliveredRef);
    expect(message?.message.kind).toBe('notice');
  });
});
