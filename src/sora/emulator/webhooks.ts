/**
 * OpenAI-style webhooks for finished jobs (`video.completed`, `video.failed`), signed with the Standard
 * Webhooks scheme (docs/sora-api.md): headers `webhook-id`, `webhook-timestamp` (unix s) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the base64 part of a
 * `whsec_` secret. The body carries only the video id.
 *
 * Job status is computed from the clock (see lifecycle.ts), so nothing "happens" when a job finishes:
 * a sweep timer (re-armed for the next finish time, at most 1 s ahead so a test clock that jumps is
 * noticed) and every API read call `sweep()`, which sends each finished job's event exactly once.
 * A failed delivery is retried twice (after 500 ms and 2 s) with the same `webhook-id`.
 */
import { createHmac } from 'node:crypto';
import { newId } from './ids.js';
import { isTerminalAt, type JobRecord } from './lifecycle.js';
import type { EmulatorClock, EmulatorLogger, WebhookOptions } from './types.js';

const RETRY_DELAYS_MS = [500, 2000];
const MAX_SWEEP_WAIT_MS = 1000;
const DELIVERY_TIMEOUT_MS = 10_000;

/** The secret's key bytes: the base64 after `whsec_`. */
export function webhookKey(secret: string): Buffer {
  if (!secret.startsWith('whsec_')) throw new Error('webhook secret must start with whsec_');
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  if (key.length === 0) throw new Error('webhook secret must be whsec_ followed by base64');
  return key;
}

/** `v1,<base64 signature>` of `${id}.${timestampS}.${body}`. */
export function signWebhook(secret: string, id: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', webhookKey(secret)).update(`${id}.${timestampS}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export class WebhookDispatcher {
  private readonly pending = new Map<string, JobRecord>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly options: WebhookOptions,
    private readonly clock: EmulatorClock,
    private readonly logger: EmulatorLogger,
  ) {
    webhookKey(options.secret);
  }

  watch(job: JobRecord): void {
    this.pending.set(job.id, job);
    this.arm();
  }

  /** A deleted job never finishes, so it never notifies. */
  forget(id: string): void {
    this.pending.delete(id);
  }

  sweep(): void {
    if (this.closed) return;
    const now = this.clock.now();
    for (const job of this.pending.values()) {
      if (!isTerminalAt(job, now)) continue;
      this.pending.delete(job.id);
      const type = job.outcome.kind === 'completed' ? 'video.completed' : 'video.failed';
      const delivery = this.deliver(job.id, type).finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
    this.arm();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.controller.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || this.pending.size === 0) return;
    const now = this.clock.now();
    const next = Math.min(...[...this.pending.values()].map((job) => job.finishAtMs));
    const wait = Math.max(0, Math.min(MAX_SWEEP_WAIT_MS, next - now));
    this.timer = setTimeout(() => this.sweep(), wait);
    this.timer.unref();
  }

  private async deliver(videoId: string, type: 'video.completed' | 'video.failed'): Promise<void> {
    const webhookId = newId('wh');
    const body = JSON.stringify({
      id: newId('evt'),
      object: 'event',
      created_at: Math.floor(this.clock.now() / 1000),
      type,
      data: { id: videoId },
    });
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt += 1) {
      if (attempt > 0) await sleep(RETRY_DELAYS_MS[attempt - 1]!, this.controller.signal);
      if (this.closed) return;
      const timestamp = Math.floor(this.clock.now() / 1000);
      try {
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'OpenAI/1.0 (+https://platform.openai.com/docs/webhooks) sora-emulator',
            'webhook-id': webhookId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signWebhook(this.options.secret, webhookId, timestamp, body),
          },
          body,
          signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
        });
        await response.body?.cancel();
        if (response.ok) {
          this.logger.debug({ videoId, type, webhookId, attempt }, 'webhook delivered');
          return;
        }
        this.logger.warn({ videoId, type, webhookId, attempt, status: response.status }, 'webhook rejected');
      } catch (error) {
        if (this.closed) return;
        this.logger.warn(
          { videoId, type, webhookId, attempt, err: String(error) },
          'webhook delivery failed',
        );
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
