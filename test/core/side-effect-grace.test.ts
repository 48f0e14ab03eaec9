/**
 * On Redis a step's lease is free as soon as its holder's process is gone, until the step begins its
 * side effect (a paid create, a post). From then on it keeps the reconnect grace, so a holder whose
 * connection merely dropped is not robbed in the middle of it (Store.beginSideEffect). Read through
 * the store's port while the real core is held at a gate inside each phase.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { submitLease } from '../../src/core/submission-scheduler.js';
import { deliverLease } from '../../src/core/video-delivery.js';
import { PRESENCE_GRACE_MS } from '../../src/store/redis-store.js';
import { CoreHarness, storeKinds } from '../support/core-harness.js';
import { FirstUploadHeld } from '../support/first-upload-held.js';
import { Gate, gatedProvider, type ProviderGates } from '../support/gates.js';

let harness: CoreHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe.skipIf(!storeKinds().includes('redis'))(
  'a step lease keeps the grace only from its side effect on',
  () => {
    it('a submit keeps it through the create', async () => {
      const create = new Gate();
      const gates: ProviderGates = { beforeCreate: new Map([['a create held open', create]]) };
      harness = await CoreHarness.start({ store: 'redis', wrapProvider: (p) => gatedProvider(p, gates) });
      const id = await harness.sendJob('/sora a create held open');
      await create.reached;
      expect(await harness.store.leaseHolder(submitLease(id))).toMatchObject({
        watched: true,
        graceMs: PRESENCE_GRACE_MS,
      });
      create.open();
      await harness.waitFor(id, ['delivered']);
      expect(harness.emulator.videos()).toHaveLength(1);
    });

    it('a delivery is repeatable while it downloads and keeps it from the post on', async () => {
      const gates: ProviderGates = { beforeDownload: new Gate() };
      const surface = new FirstUploadHeld('playground', undefined);
      harness = await CoreHarness.start({
        store: 'redis',
        surface,
        wrapProvider: (p) => gatedProvider(p, gates),
      });
      const id = await harness.sendJob('/sora a delivery held twice');
      await gates.beforeDownload!.reached;
      expect(await harness.store.leaseHolder(deliverLease(id))).toMatchObject({ watched: true, graceMs: 0 });
      gates.beforeDownload!.open();
      await surface.gate.reached;
      expect(await harness.store.leaseHolder(deliverLease(id))).toMatchObject({
        watched: true,
        graceMs: PRESENCE_GRACE_MS,
      });
      surface.gate.open();
      await harness.waitFor(id, ['delivered']);
      expect(surface.results()).toHaveLength(1);
    });
  },
);
