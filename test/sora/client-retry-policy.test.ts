/** The retry policy's arithmetic: full-jitter bounds and the provider's wait headers, over many inputs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  DEFAULT_BACKOFF,
  retryAfterFromHeaders,
  shouldRetryStatus,
} from '../../src/sora/client/retry-policy.js';

describe('backoffDelayMs (full jitter)', () => {
  it('stays within [0, min(max, initial * 2^n)] for any draw', () => {
    fc.assert(
      fc.property(fc.nat(30), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, draw) => {
        const cap = Math.min(DEFAULT_BACKOFF.maxDelayMs, DEFAULT_BACKOFF.initialDelayMs * 2 ** n);
        const delay = backoffDelayMs(n, () => draw);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(cap);
      }),
    );
  });

  it('spans the whole interval: the smallest draw waits 0, the largest nearly the cap', () => {
    expect(backoffDelayMs(0, () => 0)).toBe(0);
    expect(backoffDelayMs(3, () => 0.9999)).toBe(4000);
    expect(backoffDelayMs(20, () => 0.9999)).toBe(7999);
  });
});

describe('retryAfterFromHeaders', () => {
  const now = () => Date.UTC(2026, 10, 29, 12, 0, 0);

  it('never answers a negative wait or one beyond 60 s', () => {
    fc.assert(
      fc.property(fc.option(fc.string()), fc.option(fc.string()), (ms, after) => {
        const headers = { 'retry-after-ms': ms ?? undefined, 'retry-after': after ?? undefined };
        const wait = retryAfterFromHeaders(headers, now);
        if (wait !== null) {
          expect(wait).toBeGreaterThanOrEqual(0);
          expect(wait).toBeLessThanOrEqual(60_000);
        }
      }),
    );
  });

  it('prefers retry-after-ms, then retry-after seconds or an HTTP date', () => {
    expect(retryAfterFromHeaders({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
    expect(retryAfterFromHeaders({ 'retry-after': '1.5' }, now)).toBe(1500);
    expect(retryAfterFromHeaders({ 'retry-after': new Date(now() + 20_000).toUTCString() }, now)).toBe(
      20_000,
    );
    expect(retryAfterFromHeaders({ 'retry-after': new Date(now() - 5_000).toUTCString() }, now)).toBe(0);
    expect(retryAfterFromHeaders({ 'retry-after-ms': 'soon', 'retry-after': '2' }, now)).toBe(2000);
    expect(retryAfterFromHeaders({ 'retry-after': '120' }, now)).toBeNull();
    expect(retryAfterFromHeaders({}, now)).toBeNull();
  });
});

describe('shouldRetryStatus', () => {
  it('retries 408, 409, 429 and 5xx unless x-should-retry says otherwise', () => {
    const retried = [400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503].filter((s) =>
      shouldRetryStatus(s, {}),
    );
    expect(retried).toEqual([408, 409, 429, 500, 502, 503]);
    expect(shouldRetryStatus(503, { 'x-should-retry': 'false' })).toBe(false);
    expect(shouldRetryStatus(400, { 'x-should-retry': 'true' })).toBe(true);
  });
});
