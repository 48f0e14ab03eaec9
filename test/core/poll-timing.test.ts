/**
 * The next poll of a rendering job: the backoff, brought forward to just after the end the provider's
 * progress predicts, never later than the backoff and never sooner than half its interval.
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

  it('always lands between half an interval and a whole one from now', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 50, max: 60_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.integer({ min: 0, max: 100 }),
        (now, interval, elapsed, progress) => {
          const at = nextPollAt(now, interval, { startedAt: now - elapsed, progress });
          expect(at).toBeGreaterThanOrEqual(now + interval / 2 - 0.5);
          expect(at).toBeLessThanOrEqual(now + interval);
        },
      ),
    );
  });
});
