/**
 * When and how long to wait before trying a request again. Mirrors the official `openai` SDK
 * (docs/sora-api.md, "Errors"): retry 408, 409, 429 and 5xx plus network failures; an
 * `x-should-retry` header overrides that; wait `retry-after-ms`, else `retry-after` (seconds or an
 * HTTP date) when it is within (0, 60 s], else exponential backoff with full jitter. Whether a POST may
 * be sent again at all (only with an Idempotency-Key) is the transport's decision (transport.ts).
 */
import { isRetryableStatus } from '../errors.js';

export interface BackoffSettings {
  /** The first retry waits up to this long (full jitter: a uniform draw in [0, cap]). */
  initialDelayMs: number;
  /** The cap of the exponential curve. */
  maxDelayMs: number;
  /** A `retry-after` above this is ignored in favour of our own backoff. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = {
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

type HeaderBag = Record<string, string | string[] | undefined>;

export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The wait the server asked for, in ms, or null when it asked for none (or for something absurd).
 * `now` is injected so that an HTTP-date `retry-after` can be tested.
 */
export function retryAfterFromHeaders(
  headers: HeaderBag,
  now: () => number = Date.now,
  maxMs = DEFAULT_BACKOFF.maxRetryAfterMs,
): number | null {
  const ms = headerValue(headers, 'retry-after-ms');
  if (ms !== undefined) {
    const value = Number.parseFloat(ms);
    if (Number.isFinite(value) && value >= 0 && value <= maxMs) return Math.round(value);
  }
  const after = headerValue(headers, 'retry-after');
  if (after === undefined) return null;
  const seconds = Number(after.trim());
  let value: number;
  if (after.trim() !== '' && Number.isFinite(seconds)) value = seconds * 1000;
  else {
    const date = Date.parse(after);
    if (Number.isNaN(date)) return null;
    value = date - now();
  }
  if (value < 0) return 0;
  return value <= maxMs ? Math.round(value) : null;
}

/** `x-should-retry: true|false` lets the server overrule our status table. */
export function serverSaysRetry(headers: HeaderBag): boolean | undefined {
  const value = headerValue(headers, 'x-should-retry');
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

export function shouldRetryStatus(status: number, headers: HeaderBag): boolean {
  return serverSaysRetry(headers) ?? isRetryableStatus(status);
}

/** Full jitter: a uniform draw between 0 and the exponential cap for this retry (0-based). */
export function backoffDelayMs(retryIndex: number, random: () => number, settings = DEFAULT_BACKOFF): number {
  const cap = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** retryIndex);
  return Math.round(random() * cap);
}
