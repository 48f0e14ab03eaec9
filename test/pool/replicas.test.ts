/**
 * Two replicas (two cores on one Redis) sharing a pool: each deployment's quota is counted for the
 * cluster, so together they never send a deployment more than it allows (its emulator would answer
 * 429, and the job would get a new key generation), every job is delivered once, and a remix made
 * through the other replica still goes to the deployment holding its source.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { redis, skipWithout } from '../support/services.js';
import { PoolHarness } from './pool-harness.js';

let harness: PoolHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe.skipIf(skipWithout(redis))('two replicas sharing a pool through Redis', () => {
  it('respect every deployment quota together, deliver each job once, and keep remixes with their source', async () => {
    harness = await PoolHarness.start({
      store: 'redis',
      replicas: 2,
      deployments: [
        { name: 'east', maxConcurrent: 1 },
        { name: 'west', maxConcurrent: 2 },
      ],
    });
    const h = harness;
    const [a, b] = h.cores;
    const ids = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.sendJob(`shared quota ${i}`, `u${i % 5}`, i % 2 ? a : b)),
    );
    const done = await Promise.all(ids.map((id) => h.waitFor(id, ['delivered', 'failed'])));
    expect(done.map((j) => j.state)).toEqual(Array(10).fill('delivered'));
    expect(done.map((j) => j.submitKeyGeneration)).toEqual(Array(10).fill(0));
    for (const name of ['east', 'west']) {
      const here = done.filter((j) => j.deployment === name);
      expect(here.length).toBeGreaterThan(0);
      expect(h.videosAt(name).sort()).toEqual(here.map((j) => j.providerVideoId).sort());
    }
    // Delivered once each: one result message per job.
    const results = h.surface.chat.messages.filter((m) => m.message.kind === 'result');
    expect(results.map((m) => (m.message.kind === 'result' ? m.message.job.id : '')).sort()).toEqual(
      [...ids].sort(),
    );
    // Remixes asked through the other replica than their source's go to the source's deployment.
    const remixes = await Promise.all(
      ids.slice(0, 4).map((id, i) => h.sendJob(`remix ${id} in snow`, `u${i}`, i % 2 ? b : a)),
    );
    const remixed = await Promise.all(remixes.map((id) => h.waitFor(id, ['delivered', 'failed'])));
    remixed.forEach((job, i) => {
      expect([job.state, job.deployment]).toEqual(['delivered', done[i]!.deployment]);
    });
  });

  it('poll a video submitted on the replica that does not hold the poller lease, without waiting for the idle sleep', async () => {
    // Idle sleeps and the lease far longer than this test may run: were the lease holder to sleep
    // until a local wake, a job submitted on the other replica would never be polled.
    harness = await PoolHarness.start({
      store: 'redis',
      replicas: 2,
      deployments: [{ name: 'east', maxConcurrent: 2 }],
      settings: { pollerIdleMs: 600_000, pollerLeaseMs: 600_000 },
    });
    const h = harness;
    const [a, b] = h.cores;
    // One after another, through each replica in turn: whichever holds the lease, the other submits.
    for (const [i, core] of [a, b, a, b].entries()) {
      const id = await h.sendJob(`idle poller ${i}`, `u${i}`, core);
      expect((await h.waitFor(id, ['delivered', 'failed'])).state).toBe('delivered');
    }
  });
});
