/**
 * When a replica looks again at a lease someone else holds (`untilLapse`): at its expiry for a holder
 * that never declared presence, and within the caller's recheck for one that did, since its death
 * frees the lease long before any expiry. The poller looks four times a second (a dead poller holds
 * up every render of the cluster), and so does anyone at a step in the middle of its post (a dead
 * holder's grace starts at the first look); any other step once a second. On a real Redis, as
 * replicas run.
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
    // Repeatable, as the poller's and every step's lease is taken: no grace until a side effect.
    await holder.acquireLease('watched', 'present-replica', TTL_MS, { repeatable: true });
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

  it('looks within a quarter second at a step whose holder is in the middle of its side effect', async () => {
    const step = (await holder.acquireLease('post', 'present-replica', TTL_MS, { repeatable: true }))!;
    // Before the post starts, its death would free the lease at once: the usual second.
    expect(await untilLapse(looker, 'post')).toBe(1_000);
    expect(await holder.beginSideEffect(step)).toBe(true);
    // During it, the lease keeps the grace once the holder is gone, counted from the first look.
    expect(await untilLapse(looker, 'post')).toBe(250);
    expect(await holder.endSideEffect(step)).toBe(true);
    expect(await untilLapse(looker, 'post')).toBe(1_000);
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
