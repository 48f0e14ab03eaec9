/**
 * `POST /webhooks/openai`: OpenAI's `video.completed` / `video.failed` events. The event carries only
 * the video id, so the route verifies the signature, drops repeats (deliveries are retried for up to
 * 72 h; dedupe on webhook-id) and asks the core to poll that job now instead of at its next tick.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { SoraCore } from '../core/sora-core.js';
import { VideoWebhookEventSchema } from '../sora/video.js';
import type { KeyValues } from '../store/key-values.js';
import { type HttpServer, readBody, sendJson } from './http-server.js';
import { verifyStandardWebhook } from './standard-webhook.js';

const DEDUPE_MS = 72 * 60 * 60 * 1000;
const MAX_BODY = 64 * 1024;

export function mountOpenAiWebhook(
  http: HttpServer,
  deps: { secret: string; core: SoraCore; clock: Clock; logger: Logger; values: KeyValues },
): void {
  http.route('POST', '/webhooks/openai', async (req, res) => {
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY);
    } catch {
      sendJson(res, 413, { error: { code: 'body_too_large', message: 'webhook body too large' } });
      return;
    }
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const verdict = verifyStandardWebhook({
      secret: deps.secret,
      headers: {
        id: header('webhook-id'),
        timestamp: header('webhook-timestamp'),
        signature: header('webhook-signature'),
      },
      body,
      nowMs: deps.clock.now(),
    });
    if (!verdict.ok) {
      deps.logger.warn({ code: verdict.code }, 'rejected a webhook');
      sendJson(res, 401, { error: { code: verdict.code, message: 'webhook signature rejected' } });
      return;
    }
    // A fresh owner per delivery: a repeat of the same webhook-id finds the claim taken.
    if (!(await deps.values.markOnce(verdict.id, DEDUPE_MS))) {
      sendJson(res, 200, { ok: true, duplicate: true });
      return;
    }
    let event: ReturnType<typeof VideoWebhookEventSchema.parse>;
    try {
      event = VideoWebhookEventSchema.parse(JSON.parse(body.toString('utf8')));
    } catch {
      // Signed but not a video event we know: acknowledge so the provider stops retrying.
      sendJson(res, 200, { ok: true, ignored: true });
      return;
    }
    const known = await deps.core.pollVideoNow(event.data.id);
    deps.logger.info({ type: event.type, videoId: event.data.id, known }, 'provider webhook');
    sendJson(res, 200, { ok: true });
  });
}
