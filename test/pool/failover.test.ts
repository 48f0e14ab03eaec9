/**
 * Failover over emulated deployments: a deployment that goes down is taken out (its waiting jobs go to
 * the others), its rendering jobs keep being polled there and are delivered when it is back, a refused
 * key sends jobs elsewhere, every deployment out shows one status line, and a deployment that never
 * comes back fails its jobs plainly once its retention is over. No job is ever sent twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ALL_OUT_LINE } from '../../src/core/deployment-router.js';
import type { StatusMessage } from '../../src/core/messages.js';
import { type BreakerRecord, breakerKey } from '../../src/core/pool-health.js';
import { renderPlainText } from '../../src/core/render-text.js';
import { PoolHarness } from './pool-harness.js';

let harness: PoolHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const breaker = (h: PoolHarness, name: string) => h.stores[0]!.get<BreakerRecord>(breakerKey(name));

describe('failover in a pool', () => {
  it('takes a failing deployment out, sends waiting jobs to the others, and polls its renders until it is back', async () => {
    harness = await PoolHarness.start({
      deployments: [
        { name: 'east', maxConcurrent: 1, emulator: { renderMs: 1_500 } },
        { name: 'west', maxConcurrent: 1 },
      ],
    });
    const h = harness;
    const rendering = await h.sendJob('a slow render');
    const first = await h.waitFor(rendering, ['rendering']);
    expect(first.deployment).toBe('east');
    h.emulator('east').setOutage(503);
    await h.until(async () => (await breaker(h, 'east'))?.state === 'out');
    const waiting = await Promise.all([1, 2, 3].map((i) => h.sendJob(`a quick one ${i}`, `u${i}`)));
    const moved = await Promise.all(waiting.map((id) => h.waitFor(id, ['delivered', 'failed'])));
    expect(moved.map((j) => [j.state, j.deployment])).toEqual(Array(3).fill(['delivered', 'west']));
    // The render at east is still being polled there, and arrives once east answers again.
    expect((await h.job(rendering))!.state).toBe('rendering');
    h.emulator('east').setOutage(null);
    const back = await h.waitFor(rendering, ['delivered', 'failed']);
    expect([back.state, back.deployment]).toEqual(['delivered', 'east']);
    expect(h.videosAt('east')).toEqual([back.providerVideoId]);
    await h.until(async () => (await breaker(h, 'east'))?.state === 'back');
    // East takes new work again.
    const later = await Promise.all([4, 5].map((i) => h.sendJob(`after the outage ${i}`, `u${i}`)));
    const after = await Promise.all(later.map((id) => h.waitFor(id, ['delivered'])));
    expect(new Set(after.map((j) => j.deployment))).toEqual(new Set(['east', 'west']));
  });

  it('sends jobs elsewhere when a deployment refuses its key, and fails none of them', async () => {
    harness = await PoolHarness.start({
      deployments: [
        // Its emulator accepts another key than the one configured: every call is a 401.
        { name: 'revoked', emulator: { apiKey: 'sk-rotated' } },
        { name: 'good' },
      ],
    });
    const h = harness;
    const ids = await Promise.all([1, 2, 3, 4].map((i) => h.sendJob(`a key test ${i}`, `u${i}`)));
    const done = await Promise.all(ids.map((id) => h.waitFor(id, ['delivered', 'failed'])));
    expect(done.map((j) => [j.state, j.deployment])).toEqual(Array(4).fill(['delivered', 'good']));
    await h.until(async () => (await breaker(h, 'revoked'))?.state === 'out');
  });

  it('shows one plain status line while every deployment is out, and starts when one is back', async () => {
    harness = await PoolHarness.start({ deployments: [{ name: 'east' }, { name: 'west' }] });
    const h = harness;
    h.emulator('east').setOutage(503);
    h.emulator('west').setOutage(500);
    // The health checks find both out.
    await h.until(
      async () => (await breaker(h, 'east'))?.state === 'out' && (await breaker(h, 'west'))?.state === 'out',
    );
    const id = await h.sendJob('patience');
    const held = await h.until(() =>
      h.surface.chat.messages
        .flatMap((m) => m.history)
        .find((m) => m.kind === 'status' && m.job.id === id && (m as StatusMessage).held),
    );
    expect(renderPlainText(held)).toContain(`Queued: ${ALL_OUT_LINE}`);
    expect((await h.job(id))!.submitStartedAt).toBeNull();
    h.emulator('west').setOutage(null);
    const done = await h.waitFor(id, ['delivered', 'failed']);
    expect([done.state, done.deployment]).toEqual(['delivered', 'west']);
  });

  it('polls a job at a deployment that disappeared until its retention is over, then fails it plainly', async () => {
    harness = await PoolHarness.start({
      deployments: [{ name: 'gone', emulator: { renderMs: 600_000 } }, { name: 'other' }],
      retentionMs: 1_000,
    });
    const h = harness;
    const id = await h.sendJob('a render that never comes back');
    const sent = await h.waitFor(id, ['submitted', 'rendering']);
    expect(sent.deployment).toBe('gone');
    h.emulator('gone').setOutage(503);
    const failed = await h.waitFor(id, ['failed', 'delivered']);
    expect(failed.state).toBe('failed');
    expect(failed.failure?.code).toBe('expired');
    expect(failed.failure?.message).toBe(
      'the Sora deployment "gone" stopped answering and the video\'s time there ran out',
    );
    expect(failed.submitAttempts).toBe(1);
    expect(h.videosAt('other')).toEqual([]);
  });
});
