/**
 * `Idempotency-Key` on the two calls that start a render (create and remix), as idempotent APIs do it
 * (docs/sora-api.md, "Idempotency"): the first request with a key that starts a job is remembered for
 * 24 h per owner (flavour + API key); a repeat with the same parameters is answered with the original
 * video object and starts nothing (no new job, no count against the limits); the same key with other
 * parameters is refused with a 422. Requests refused before a job started (400s, 429s) are not
 * remembered, so a retry after one of those is a fresh attempt.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Video } from '../video.js';
import { type ApiFailure, apiFailure, fail, invalidRequest, ok, type Result } from './api-error.js';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_CHARS = 255;

/** A key that started a job. A repeat must ask for the same as the first request (`fingerprint`). */
export interface IdempotencyRecord extends KeyedRequest {
  owner: string;
  /** The answer to the first request, replayed as it was. */
  video: Video;
  expiresAtMs: number;
}

/** The request's key, undefined when it sent none, or the 400 for a malformed one. */
export function idempotencyKeyOf(headers: IncomingHttpHeaders): Result<string | undefined> {
  const value = headers['idempotency-key'];
  if (value === undefined) return ok(undefined);
  const key = Array.isArray(value) ? value.join(', ') : value;
  if (key.trim() === '' || key.length > MAX_IDEMPOTENCY_KEY_CHARS)
    return fail(
      invalidRequest(
        `Invalid 'Idempotency-Key' header: expected 1 to ${MAX_IDEMPOTENCY_KEY_CHARS} characters.`,
        null,
        'invalid_idempotency_key',
      ),
    );
  return ok(key);
}

/** The key of a job-starting request, with a digest of what it asks for. */
export interface KeyedRequest {
  key: string;
  fingerprint: string;
}

/**
 * `parts` are what the request asks for after validation (the operation, its target and parameters),
 * so a multipart boundary or the order of JSON fields makes no difference. Undefined without a key.
 */
export function keyedRequest(
  key: string | undefined,
  parts: Record<string, string | null | undefined>,
): KeyedRequest | undefined {
  if (key === undefined) return undefined;
  const canonical = JSON.stringify(Object.entries(parts).sort(([a], [b]) => a.localeCompare(b)));
  return { key, fingerprint: createHash('sha256').update(canonical).digest('hex') };
}

export function keyReusedFailure(): ApiFailure {
  return apiFailure(
    422,
    'Idempotency key reused with different parameters: keys for idempotent requests can only be used with the same parameters they were first used with.',
    { code: 'idempotency_key_reused' },
  );
}
