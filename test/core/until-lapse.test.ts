/**
 * When a replica looks again at a lease someone else holds (`untilLapse`): at its expiry for a holder
 * that never declared presence, and within the caller's recheck for one that did, since its death
 * frees the lease long before any expiry. The poller's lease is looked at four times a second (a dead
 * poller holds up every render of the cluster), and so is a delivery (a dead holder's post grace
 * starts at the first look that finds it gone); a submit once a second. On a real Redis, as replicas
 * run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untilLapse } from '../../src/core/held-lease.js';
import { RedisStore } from '../../src/store/redis-store.js';
import type { Store } from '../../src/store/store.js';
import { redis, skipWithout, TEST_REDIS_URL } from '../support/services.js';

const TTL_MS = 60_000;

describe.skipIf(skipWithout(redis))('untilLapse', () => {
  let holder: Store;
  let looker: Store;
  beforeAll(async () => {
    const ns = `until-lapse-${process.pid}-${Date.now()}`;
    [holder, looker] = [await RedisStore.open(TEST_REDIS_URL, ns), await RedisStore.open(TEST_REDIS_URL, ns)];
    await holder.declarePresence('present-replica');
    await holder.acquireLease('watched', 'present-replica', TTL_MS);
    await holder.acquireLease('unwatched', 'never-declared', TTL_MS);
  });
  afterAll(async () => {
    await holder.close();
    await looker.close();
  });

  it('looks again within the recheck at a lease whose holder declared presence', async () => {
    expect(await untilLapse(looker, 'watched')).toBe(1_000);
    expect(await untilLapse(looker, 'watched', 250)).toBe(250);
  });

  it('waits for the expiry of a holder that never declared presence, whatever the recheck', async () => {
    const wait = await untilLapse(looker, 'unwatched', 250);
    expect(wait).toBeGreaterThan(TTL_MS - 10_000);
    expect(wait).toBeLessThanOrEqual(TTL_MS + 50);
  });

  it('looks again at once (50 ms) when nobody holds it', async () => {
    expect(await untilLapse(looker, 'nobody', 250)).toBe(50);
  });
});
