/**
 * The next poll of a rendering job: the backoff, brought forward to just after the end the provider's
 * progress predicts, never later than the backoff and never sooner than half its interval (a fifth
 * for a job a list walk refreshes, where a poll costs little).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextPollAt } from '../../src/core/poll-timing.js';

describe('next poll of a rendering job', () => {
  it('follows the backoff without progress to go by', () => {
    expect(nextPollAt(10_000, 4_000, null)).toBe(14_000);
    expect(nextPollAt(10_000, 4_000, { startedAt: null, progress: 50 })).toBe(14_000);
    expect(nextPollAt(10_000, 4_000, { startedAt: 9_000, progress: 0 })).toBe(14_000);
    expect(nextPollAt(10_000, 4_000, { startedAt: 9_000, progress: 100 })).toBe(14_000);
  });

  it('comes just after the end the progress predicts when that is before the backoff', () => {
    // Half done after 2 s: done at 4 s after the start, polled 2% of the render after that.
    expect(nextPollAt(12_000, 4_000, { startedAt: 10_000, progress: 50 })).toBe(14_080);
  });

  it('keeps the backoff when the predicted end is later', () => {
    expect(nextPollAt(12_000, 1_000, { startedAt: 10_000, progress: 10 })).toBe(13_000);
  });

  it('never polls again sooner than half an interval, whatever the estimate', () => {
    expect(nextPollAt(12_000, 4_000, { startedAt: 10_000, progress: 99 })).toBe(14_000);
  });

  it('a job a list walk refreshes may come back after a fifth of the interval, when it ends that soon', () => {
    // 99% after 2 s: done at about 2,061 ms after the start, 61 ms from now; a fifth of 4 s is 800 ms.
    expect(nextPollAt(12_000, 4_000, { startedAt: 10_000, progress: 99 }, 0.2)).toBe(12_800);
    // Half done: the predicted end (14,080) is past the floor, so the poll lands there.
    expect(nextPollAt(12_000, 4_000, { startedAt: 10_000, progress: 50 }, 0.2)).toBe(14_080);
  });

  it('always lands between the floor (half an interval unless given) and a whole interval from now', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 50, max: 60_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.option(fc.double({ min: 0.05, max: 1, noNaN: true }), { nil: undefined }),
        (now, interval, elapsed, progress, floor) => {
          const render = { startedAt: now - elapsed, progress };
          const at =
            floor === undefined
              ? nextPollAt(now, interval, render)
              : nextPollAt(now, interval, render, floor);
          expect(at).toBeGreaterThanOrEqual(now + interval * (floor ?? 0.5) - 0.5);
          expect(at).toBeLessThanOrEqual(now + interval);
        },
      ),
    );
  });
});
