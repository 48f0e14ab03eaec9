/**
 * A paid call happens once: a gateway that loses the provider's answer to a create (the job exists,
 * the bot sees a 502) must not lead to a second render, whether the client's own retry repeats the
 * Idempotency-Key or the queue's next attempt adopts the job from the list (also when the provider
 * leaves the prompt out of list objects).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CoreHarness } from '../support/core-harness.js';

let harness: CoreHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('a create whose answer is lost', () => {
  it('is repeated with the same Idempotency-Key: one render, one video', async () => {
    harness = await CoreHarness.start({ emulator: { faults: { failAfterCreateRate: 1 } }, clientRetries: 2 });
    const id = await harness.sendJob('/sora a lighthouse at dusk');
    const job = await harness.waitFor(id, ['delivered']);
    expect(harness.emulator.videos()).toHaveLength(1);
    expect(harness.emulator.videos()[0]!.id).toBe(job.providerVideoId);
    expect(harness.surface.results()).toHaveLength(1);
  });

  it('is adopted from the list on the next attempt, even without the prompt in list objects', async () => {
    harness = await CoreHarness.start({
      emulator: { faults: { failAfterCreateRate: 1, omitPrompt: true } },
      clientRetries: 0,
    });
    const id = await harness.sendJob('/sora a paper boat in the rain');
    const job = await harness.waitFor(id, ['delivered']);
    expect(job.submitAttempts).toBe(1);
    expect(harness.emulator.videos()).toHaveLength(1);
    expect(harness.emulator.videos()[0]!.id).toBe(job.providerVideoId);
  });
});
