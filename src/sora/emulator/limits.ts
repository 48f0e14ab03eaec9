/**
 * Per-key creation limits, modelled on Azure's default Sora 2 quota (docs/sora-api.md):
 * a cap on jobs queued or in progress at once (429 "Too many running tasks") and a cap on job
 * creations in a rolling minute (429 with `retry-after` seconds and `retry-after-ms`). Both create and
 * remix count; rejected requests do not.
 */
import { type ApiFailure, apiFailure } from './api-error.js';
import type { JobRecord } from './lifecycle.js';

export interface LimitSettings {
  maxRunning: number;
  /** 0 = unlimited. */
  requestsPerMinute: number;
  /** The "minute" of `requestsPerMinute` (60 000; benchmarks scale it down with the bot's). */
  windowMs?: number;
}

export class CreationLimiter {
  private readonly recent = new Map<string, number[]>();
  private readonly windowMs: number;

  constructor(private readonly settings: LimitSettings) {
    this.windowMs = settings.windowMs ?? 60_000;
  }

  /** The 429 to answer, or undefined when `owner` may create a job at `nowMs`. */
  check(owner: string, running: readonly JobRecord[], nowMs: number): ApiFailure | undefined {
    if (running.length >= this.settings.maxRunning) {
      const firstFinish = Math.min(...running.map((job) => job.finishAtMs));
      const waitS = Math.max(1, Math.ceil((firstFinish - nowMs) / 1000));
      return apiFailure(429, 'Too many running tasks', {
        type: 'rate_limit_error',
        code: 'too_many_running_tasks',
        headers: { 'retry-after': String(waitS) },
      });
    }
    const rpm = this.settings.requestsPerMinute;
    if (rpm > 0) {
      const window = this.window(owner, nowMs);
      if (window.length >= rpm) {
        const waitMs = Math.max(1, window[0]! + this.windowMs - nowMs);
        return apiFailure(
          429,
          `Rate limit reached for video requests: limit ${rpm} per minute. Please try again in ${Math.ceil(waitMs / 1000)}s.`,
          {
            type: 'requests',
            code: 'rate_limit_exceeded',
            headers: { 'retry-after': String(Math.ceil(waitMs / 1000)), 'retry-after-ms': String(waitMs) },
          },
        );
      }
    }
    return undefined;
  }

  record(owner: string, nowMs: number): void {
    if (this.settings.requestsPerMinute <= 0) return;
    this.window(owner, nowMs).push(nowMs);
  }

  private window(owner: string, nowMs: number): number[] {
    const kept = (this.recent.get(owner) ?? []).filter((at) => at > nowMs - this.windowMs);
    this.recent.set(owner, kept);
    return kept;
  }
}
