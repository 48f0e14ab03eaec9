/**
 * On Redis a step's lease is free as soon as its holder's process is gone, until the step begins its
 * side effect (a paid create, a post). From then on it keeps the reconnect grace, so a holder whose
 * connection merely dropped is not robbed in the middle of it (Store.beginSideEffect). Read through
 * the store's port while the real core is held at a gate inside each phase.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { submitLease } from '../../src/core/submission-scheduler.js';
import { deliverLease } from '../../src/core/video-delivery.js';
import { PRESENCE_GRACE_MS, RedisStore } from '../../src/store/redis-store.js';
import type { Store } from '../../src/store/store.js';
import { CoreHarness, REDIS_URL, storeKinds } from '../support/core-harness.js';
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

    it('a delivery is repeatable while it downloads and uploads, and keeps it from its first checkpoint on', async () => {
      const gates: ProviderGates = { beforeDownload: new Gate() };
      const surface = new FirstUploadHeld('playground', undefined);
      const checkpointed = new Gate();
      surface.afterFirstCheckpoint = checkpointed;
      harness = await CoreHarness.start({
        store: 'redis',
        surface,
        wrapProvider: (p) => gatedProvider(p, gates),
      });
      const id = await harness.sendJob('/sora a delivery held twice');
      await gates.beforeDownload!.reached;
      expect(await harness.store.leaseHolder(deliverLease(id))).toMatchObject({ watched: true, graceMs: 0 });
      gates.beforeDownload!.open();
      // Uploading, nothing visible yet: a successor would repeat only what nobody sees.
      await surface.gate.reached;
      expect(await harness.store.leaseHolder(deliverLease(id))).toMatchObject({ watched: true, graceMs: 0 });
      surface.gate.open();
      // Checkpointed: the next step makes it visible, and from here the lease keeps the grace.
      await checkpointed.reached;
      expect(await harness.store.leaseHolder(deliverLease(id))).toMatchObject({
        watched: true,
        graceMs: PRESENCE_GRACE_MS,
      });
      checkpointed.open();
      await harness.waitFor(id, ['delivered']);
      expect(surface.results()).toHaveLength(1);
    });

    it('a delivery keeps no grace once its post is done and checkpointed, before it is recorded', async () => {
      // The first write after the post indexes its message (the second message indexed; the first is
      // the status message): held there, the post is done and its facts recorded, the delivery not.
      const indexing = new Gate();
      let indexed = 0;
      const heldIndexing = (inner: Store): Store =>
        new Proxy(inner, {
          get(target, prop, receiver) {
            if (prop === 'set')
              return async (...args: Parameters<Store['set']>) => {
                if (args[0].startsWith('message:') && ++indexed === 2) await indexing.pass();
                return target.set(...args);
              };
            const member = Reflect.get(target, prop, receiver);
            return typeof member === 'function' ? member.bind(target) : member;
          },
        });
      harness = await CoreHarness.start({
        openStore: async () =>
          heldIndexing(await RedisStore.open(REDIS_URL, `grace-end-${process.pid}-${Date.now()}`)),
      });
      const id = await harness.sendJob('/sora a post done before it is recorded');
      await indexing.reached;
      try {
        expect(harness.surface.results()).toHaveLength(1);
        expect((await harness.core.jobRecord(id))?.state).toBe('delivering');
        // A replica that died here would be taken over at the next look; its successor finds the post.
        expect(await harness.store.leaseHolder(deliverLease(id))).toMatchObject({
          watched: true,
          graceMs: 0,
        });
      } finally {
        indexing.open();
      }
      await harness.waitFor(id, ['delivered']);
      expect(harness.surface.results()).toHaveLength(1);
    });
  },
);
