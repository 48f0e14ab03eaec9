/**
 * A delivery place that frees up is taken by the next finished video at once, not at the delivery
 * loop's next idle look (30 s): here every render is seen finished while the first delivery is held,
 * so nothing else wakes the loop afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CoreHarness, type StoreKind, storeKinds } from '../support/core-harness.js';
import { FirstUploadHeld } from '../support/first-upload-held.js';

let harness: CoreHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe.each(storeKinds())('delivery places (%s store)', (store: StoreKind) => {
  it('a freed place goes to the next finished video without waiting for another wake', async () => {
    const surface = new FirstUploadHeld('playground', undefined);
    harness = await CoreHarness.start({
      store,
      surface,
      settings: { maxConcurrent: 4, deliveryConcurrency: 1 },
    });
    const ids = await Promise.all(
      ['a red kite', 'a blue kite', 'a green kite', 'a gold kite'].map((p) => harness!.sendJob(p)),
    );
    await surface.gate.reached;
    // Every other render finished and waits for the one place (no render left to wake the loop).
    for (const id of ids) await harness.waitFor(id, ['downloading', 'delivering']);
    surface.gate.open();
    for (const id of ids) expect((await harness.waitFor(id, ['delivered'])).state).toBe('delivered');
  });
});
