/**
 * Polls a job until it is `completed` or `failed`. The official SDKs have no video poll helper
 * (docs/sora-api.md, "The official SDKs"); OpenAI suggests 10-20 s between polls and the
 * Python SDK honours an `openai-poll-after-ms` hint, which wins over our interval when present.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { RequestOptions, VideoProvider, VideoWithHints } from '../provider.js';
import type { Video } from '../video.js';
import type { Sleep } from './transport.js';

export interface WaitOptions extends RequestOptions {
  /** Between polls when the provider gives no hint. */
  intervalMs?: number;
  /** Bounds on the provider's hint, so a strange header neither spins nor stalls us. */
  minIntervalMs?: number;
  maxIntervalMs?: number;
  onProgress?: (video: Video) => void;
  sleep?: Sleep;
}

const defaultSleep: Sleep = (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined);

/** Resolves with the final poll (its request id is the one to quote when the job failed). */
export async function waitForVideo(
  provider: VideoProvider,
  id: string,
  options: WaitOptions = {},
): Promise<VideoWithHints> {
  const { intervalMs = 10_000, minIntervalMs = 100, maxIntervalMs = 60_000, onProgress } = options;
  const sleep = options.sleep ?? defaultSleep;
  for (;;) {
    const polled = await provider.retrieveWithHints(id, options);
    const { video, pollAfterMs } = polled;
    onProgress?.(video);
    if (video.status === 'completed' || video.status === 'failed') return polled;
    const waitMs = Math.min(maxIntervalMs, Math.max(minIntervalMs, pollAfterMs ?? intervalMs));
    await sleep(waitMs, options.signal);
  }
}
