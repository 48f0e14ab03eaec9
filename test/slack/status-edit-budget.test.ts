/**
 * The per-workspace chat.update budget: a burst goes out, then edits wait as the newest edit per
 * message (older ones are dropped), final edits always go out at once, and workspaces are separate.
 * The clock is injected; the waiting edits' timer is not awaited (no timing in assertions).
 */
import { describe, expect, it } from 'vitest';
import { StatusEditBudget } from '../../adapters/slack/status-edit-budget.js';
import { silentLogger } from '../../src/core/logger.js';

function recorder() {
  const sent: string[] = [];
  return { sent, edit: (label: string) => async () => void sent.push(label) };
}

describe('StatusEditBudget', () => {
  it('sends a burst, then keeps only the newest waiting edit per message', async () => {
    let now = 0;
    const budget = new StatusEditBudget({ perMinute: 60, burst: 2, logger: silentLogger, now: () => now });
    const { sent, edit } = recorder();
    await budget.intermediate('T1', 'a', edit('a1'));
    await budget.intermediate('T1', 'b', edit('b1'));
    await budget.intermediate('T1', 'a', edit('a2'));
    await budget.intermediate('T1', 'a', edit('a3'));
    await budget.intermediate('T1', 'b', edit('b2'));
    expect(sent).toEqual(['a1', 'b1']);
    expect(budget.waiting).toBe(2);
    // Another workspace has its own budget.
    await budget.intermediate('T2', 'c', edit('c1'));
    expect(sent).toEqual(['a1', 'b1', 'c1']);
    // The final edit of `a` goes out at once and replaces its waiting one.
    await budget.final('T1', 'a', edit('a-final'));
    expect(sent.at(-1)).toBe('a-final');
    expect(budget.waiting).toBe(1);
    now += 60_000;
    budget.close();
  });

  it('admits at most burst + perMinute edits in a minute of constant pressure', async () => {
    let now = 0;
    const budget = new StatusEditBudget({ perMinute: 45, burst: 5, logger: silentLogger, now: () => now });
    const { sent, edit } = recorder();
    // 20 renders, each wanting an edit every 3 s for a minute (400 edits); waiting edits go out as
    // the injected clock refills the bucket.
    for (let t = 0; t < 60_000; t += 3_000) {
      now = t;
      for (let job = 0; job < 20; job++) await budget.intermediate('T1', `job-${job}`, edit(`${job}@${t}`));
    }
    await new Promise((r) => setImmediate(r));
    expect(sent.length).toBeLessThanOrEqual(50);
    expect(sent.length).toBeGreaterThanOrEqual(45);
    expect(budget.waiting).toBeLessThanOrEqual(20);
    // Coalescing: a job's edits go out in order, and a waiting edit is always that job's newest.
    for (let job = 0; job < 20; job++) {
      const times = sent.filter((s) => s.startsWith(`${job}@`)).map((s) => Number(s.split('@')[1]));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    budget.close();
  });
});
