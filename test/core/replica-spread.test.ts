/**
 * Replicas woken by the same finished renders each take them up in their own order within the oldest
 * few, so they seldom race for the same delivery lease; beyond that window the list stays oldest first.
 */
import { describe, expect, it } from 'vitest';
import { spreadAmongReplicas } from '../../src/core/replica-spread.js';

const ids = Array.from({ length: 100 }, (_, i) => `job${String(i).padStart(3, '0')}`);

describe('the order a replica takes up jobs every replica sees', () => {
  it('reorders only the oldest `window` ids, and loses or repeats none', () => {
    const order = spreadAmongReplicas(ids, 'replica-a', 16);
    expect([...order].sort()).toEqual(ids);
    expect(order.slice(16)).toEqual(ids.slice(16));
    expect(new Set(order.slice(0, 16))).toEqual(new Set(ids.slice(0, 16)));
  });

  it('is the same for the same replica every time', () => {
    expect(spreadAmongReplicas(ids, 'replica-a', 64)).toEqual(spreadAmongReplicas(ids, 'replica-a', 64));
  });

  it('sends three replicas after different jobs first', () => {
    // Each takes its first 4 of the oldest 16: picked at random, the three would share about 1.5
    // jobs; oldest first they would share all 4.
    let shared = 0;
    for (let start = 0; start < 80; start++) {
      const window = ids.slice(start, start + 16);
      const firsts = ['r1', 'r2', 'r3'].map((r) => spreadAmongReplicas(window, r, 16).slice(0, 4));
      const counts = new Map<string, number>();
      for (const pick of firsts.flat()) counts.set(pick, (counts.get(pick) ?? 0) + 1);
      shared += [...counts.values()].filter((n) => n > 1).length;
    }
    expect(shared / 80).toBeLessThan(2.5);
  });
});
