/**
 * Routing over emulated deployments: every job goes to a deployment with room (never past its quota:
 * the emulators answer 429 above it), the least loaded first, only to deployments that can make it,
 * and a remix goes to the deployment holding its source video. The caption and `/sora status` name it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ResultMessage } from '../../src/core/messages.js';
import { renderPlainText } from '../../src/core/render-text.js';
import { PoolHarness } from './pool-harness.js';

let harness: PoolHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('a pool of deployments', () => {
  it('spreads jobs over the deployments, least loaded first, within each quota', async () => {
    harness = await PoolHarness.start({
      deployments: [
        { name: 'east', maxConcurrent: 1 },
        { name: 'west', maxConcurrent: 1 },
        { name: 'north', maxConcurrent: 1 },
      ],
    });
    const h = harness;
    // Three at once: one each (ties go to the least loaded).
    const first = await Promise.all(['a', 'b', 'c'].map((p, i) => h.sendJob(`a fox ${p}`, `user${i}`)));
    const placed = await Promise.all(
      first.map((id) => h.waitFor(id, ['rendering', 'submitted', 'downloading', 'delivering', 'delivered'])),
    );
    expect(new Set(placed.map((j) => j.deployment))).toEqual(new Set(['east', 'west', 'north']));
    // Nine more: all delivered, and no emulator ever refused one (its quota was never exceeded).
    const more = await Promise.all(
      Array.from({ length: 9 }, (_, i) => h.sendJob(`a cat ${i}`, `user${i % 4}`)),
    );
    const done = await Promise.all([...first, ...more].map((id) => h.waitFor(id, ['delivered', 'failed'])));
    expect(done.map((j) => j.state)).toEqual(Array(12).fill('delivered'));
    // Never a 429 (a job refused by its deployment gets a new key generation).
    expect(done.map((j) => j.submitKeyGeneration)).toEqual(Array(12).fill(0));
    for (const name of ['east', 'west', 'north']) {
      const here = done.filter((j) => j.deployment === name);
      expect(here.length).toBeGreaterThan(0);
      // Each job's video is at the deployment it records, and nowhere else: one render per job.
      expect(h.videosAt(name).sort()).toEqual(here.map((j) => j.providerVideoId).sort());
    }
    // The caption and the status name the deployment (its name only).
    const result = h.surface.chat.messages.find(
      (m) => m.message.kind === 'result' && m.message.job.id === first[0],
    )!.message as ResultMessage;
    expect(renderPlainText(result)).toContain(`on ${placed[0]!.deployment}`);
    const status = await h.send(`status ${first[0]}`);
    expect(status.kind === 'reply' && renderPlainText(status.message)).toContain(
      `on ${placed[0]!.deployment}`,
    );
    expect(JSON.stringify(status)).not.toContain('127.0.0.1');
    expect(JSON.stringify(status)).not.toContain('sk-');
  });

  it('sends a request only to deployments that can serve it, and refuses one no deployment can', async () => {
    harness = await PoolHarness.start({
      deployments: [
        { name: 'azure-like', models: ['sora-2'] },
        { name: 'pro', models: ['sora-2', 'sora-2-pro'] },
      ],
    });
    const h = harness;
    const pros = await Promise.all(
      [1, 2, 3].map((i) => h.sendJob(`a lighthouse ${i} --model sora-2-pro --size 1792x1024`, `p${i}`)),
    );
    const done = await Promise.all(pros.map((id) => h.waitFor(id, ['delivered', 'failed'])));
    expect(done.map((j) => [j.state, j.deployment])).toEqual(Array(3).fill(['delivered', 'pro']));
    expect(h.videosAt('azure-like')).toEqual([]);
    await h.close();

    // No deployment offers sora-2-pro: refused at once, nothing queued, nothing sent.
    harness = await PoolHarness.start({
      deployments: [
        { name: 'one', models: ['sora-2'] },
        { name: 'two', models: ['sora-2'] },
      ],
    });
    const refused = await harness.send('a lighthouse --model sora-2-pro');
    expect(refused.kind).toBe('reply');
    expect(await harness.core.activeJobs()).toEqual([]);
    expect([...harness.videosAt('one'), ...harness.videosAt('two')]).toEqual([]);
  });

  it('sends every remix to the deployment that holds its source video', async () => {
    harness = await PoolHarness.start({
      deployments: [
        { name: 'east', maxConcurrent: 1 },
        { name: 'west', maxConcurrent: 1 },
        { name: 'north', maxConcurrent: 1 },
      ],
    });
    const h = harness;
    const sources = await Promise.all(Array.from({ length: 6 }, (_, i) => h.sendJob(`a boat ${i}`, `u${i}`)));
    const made = await Promise.all(sources.map((id) => h.waitFor(id, ['delivered'])));
    expect(new Set(made.map((j) => j.deployment)).size).toBe(3);
    const remixes = await Promise.all(
      sources.map((id, i) => h.sendJob(`remix ${id} now at night`, `u${(i + 1) % 6}`)),
    );
    const remixed = await Promise.all(remixes.map((id) => h.waitFor(id, ['delivered', 'failed'])));
    remixed.forEach((job, i) => {
      expect(job.state).toBe('delivered');
      expect(job.deployment).toBe(made[i]!.deployment);
      expect(h.videosAt(job.deployment!)).toContain(job.providerVideoId);
    });
  });
});
