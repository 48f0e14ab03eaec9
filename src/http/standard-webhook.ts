/**
 * Verifies a Standard Webhooks signature (what OpenAI signs its webhooks with): HMAC-SHA256 over
 * `${webhook-id}.${webhook-timestamp}.${raw body}` with the base64 part of a `whsec_` secret,
 * compared in constant time against each `v1,<base64>` entry, timestamp within 5 minutes.
 * See docs/sora-api.md (Webhooks).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_TOLERANCE_MS = 5 * 60 * 1000;

export type WebhookVerdict =
  | { ok: true; id: string }
  | { ok: false; code: 'missing_headers' | 'bad_secret' | 'stale_timestamp' | 'bad_signature' };

export function verifyStandardWebhook(input: {
  secret: string;
  headers: { id?: string | undefined; timestamp?: string | undefined; signature?: string | undefined };
  body: Buffer;
  nowMs: number;
}): WebhookVerdict {
  const { id, timestamp, signature } = input.headers;
  if (!id || !timestamp || !signature) return { ok: false, code: 'missing_headers' };
  const key = secretKey(input.secret);
  if (!key) return { ok: false, code: 'bad_secret' };
  const seconds = Number(timestamp);
  if (!Number.isFinite(seconds) || Math.abs(input.nowMs - seconds * 1000) > WEBHOOK_TOLERANCE_MS)
    return { ok: false, code: 'stale_timestamp' };
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(input.body).digest();
  for (const entry of signature.split(' ')) {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, id };
  }
  return { ok: false, code: 'bad_signature' };
}

function secretKey(secret: string): Buffer | undefined {
  const raw = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(raw, 'base64');
  return key.length > 0 ? key : undefined;
}
