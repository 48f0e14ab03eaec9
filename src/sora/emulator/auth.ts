/**
 * Per-flavour authentication, as the real services do it (docs/sora-api.md):
 * OpenAI paths take `Authorization: Bearer KEY`, Azure paths take `api-key: KEY`. With a configured key
 * only that key passes; without one any non-empty key does, but a missing header is always a 401.
 * The caller's identity ("owner") is a hash of flavour and key, so the key itself is never kept or logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { apiFailure, fail, ok, type Result } from './api-error.js';
import type { EmulatorFlavour } from './types.js';

const MESSAGES = {
  openai: {
    missing:
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    wrong:
      'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
  },
  azure: {
    missing:
      'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
    wrong:
      'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
  },
} as const;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function presentedKey(flavour: EmulatorFlavour, headers: IncomingHttpHeaders): string | undefined {
  if (flavour === 'azure') {
    const value = headers['api-key'];
    return typeof value === 'string' && value.trim() ? value.trim() : undefined;
  }
  const match = /^Bearer\s+(\S.*)$/i.exec(headers.authorization ?? '');
  return match?.[1]?.trim() || undefined;
}

/** The owner id of an authenticated request, or the 401 to answer. */
export function authenticate(
  flavour: EmulatorFlavour,
  headers: IncomingHttpHeaders,
  expectedKey: string | undefined,
): Result<string> {
  const key = presentedKey(flavour, headers);
  if (key === undefined) return fail(apiFailure(401, MESSAGES[flavour].missing, { code: 'invalid_api_key' }));
  if (expectedKey !== undefined && !timingSafeEqual(digest(key), digest(expectedKey)))
    return fail(apiFailure(401, MESSAGES[flavour].wrong, { code: 'invalid_api_key' }));
  return ok(digest(`${flavour}\0${key}`).toString('hex').slice(0, 24));
}
