/**
 * The queue's view of creates under way whose replica may be gone: which are looked at in a pass
 * (even with no slot free), how often, and when the next pass must come. The store's answers are what
 * `renderOfGoneSubmitter` would give (its own tests run it against real replicas); the clock is ours.
 */
import { describe, expect, it } from 'vitest';
import type { GoneSubmitterLook } from '../../src/core/adopt-render.js';
import { GoneSubmitters } from '../../src/core/gone-submitters.js';
import { type Job, JobSchema } from '../../src/core/job.js';
import { waitingJobFields } from '../support/job-fields.js';

function job(id: string, submitStartedAt: number | null): Job {
  return JobSchema.parse({ id, ...waitingJobFields({ submitStartedAt }) });
}

/** A store that says the job's holder is gone and its grace ends at `graceEndsAt`; nothing landed. */
function goneUntil(graceEndsAt: number) {
  const looks: string[] = [];
  const lookAt = async (id: string): Promise<GoneSubmitterLook> => {
    looks.push(id);
    return { graceEndsAt };
  };
  return { looks, lookAt };
}

describe('GoneSubmitters', () => {
  it('takes only creates under way for a quarter second or more, and looks at each at most once a second', async () => {
    let now = 10_000;
    const store = goneUntil(now + 3_000);
    const gone = new GoneSubmitters(store.lookAt, () => now);
    const old = job('old', now - 1_500);
    const fresh = job('fresh', now - 200);
    const notSent = job('not-sent', null);
    gone.beginPass();
    const first = gone.stalled([old, fresh, notSent], now);
    expect([...first.stalled].map((j) => j.id)).toEqual(['old']);
    expect(first.due.map((j) => j.id)).toEqual(['old']);
    expect(await gone.look('old')).toBeUndefined();
    expect(store.looks).toEqual(['old']);
    // The next pass 300 ms later passes over it, and looking again would be throttled too.
    now += 300;
    gone.beginPass();
    expect(gone.stalled([old], now).due).toEqual([]);
    expect(await gone.look('old')).toBeUndefined();
    expect(store.looks).toEqual(['old']);
    // A second after the look, it is due again.
    now += 700;
    gone.beginPass();
    expect(gone.stalled([old], now).due.map((j) => j.id)).toEqual(['old']);
  });

  it('a pass that passes over a create still comes back when its look is due', async () => {
    let now = 50_000;
    const gone = new GoneSubmitters(goneUntil(now + 3_000).lookAt, () => now);
    const old = job('old', now - 5_000);
    gone.beginPass();
    gone.stalled([old], now);
    await gone.look('old');
    // Woken 300 ms later by something else: nothing is due, yet the pass must not sleep idle.
    now += 300;
    gone.beginPass();
    expect(gone.stalled([old], now).due).toEqual([]);
    expect(gone.wakeMs()).toBe(700);
  });

  it('wakes the pass at the grace end, and the job is due then, once', async () => {
    let now = 100_000;
    const store = goneUntil(now + 800);
    const gone = new GoneSubmitters(store.lookAt, () => now);
    const old = job('old', now - 2_000);
    gone.beginPass();
    gone.stalled([old], now);
    await gone.look('old');
    // Sooner than the next look (1 s): the grace end, a few ms past it.
    expect(gone.wakeMs()).toBe(810);
    now += 810;
    gone.beginPass();
    expect(gone.stalled([old], now).due.map((j) => j.id)).toEqual(['old']);
    // Once: the lease is free now; after that the one-a-second looks go on.
    gone.beginPass();
    expect(gone.stalled([old], now).due).toEqual([]);
    expect(gone.wakeMs()).toBe(190);
  });

  it('hands over a render that landed, and forgets the job', async () => {
    let now = 200_000;
    const render = { graceEndsAt: now + 3_000, render: { job: job('old', now - 2_000) } };
    const gone = new GoneSubmitters(
      async () => render as GoneSubmitterLook,
      () => now,
    );
    gone.beginPass();
    expect(await gone.look('old')).toBe(render.render);
    expect(gone.wakeMs()).toBeNull();
    // Nothing throttles the next look at that job (another submission of it, say).
    now += 10;
    gone.beginPass();
    expect(gone.stalled([job('old', now - 1_000)], now).due).toHaveLength(1);
  });
});
