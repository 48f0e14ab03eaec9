/**
 * A job's state is a pure function of its timestamps and the clock, computed on every read, so a test
 * that moves its clock forward sees the job advance without waiting:
 * - `queued` for the first 10% of renderMs (progress 0);
 * - `in_progress` until the finish time, progress rising linearly with elapsed/renderMs (0..99);
 * - then `completed` (progress 100, completed_at, expires_at = completed_at + expiresAfterMs/1000) or
 *   `failed` (progress frozen where it stopped, completed_at = when it failed, expires_at null).
 * Moderation failures stop halfway through the render; other failures at the end.
 */
import type { Video, VideoStatus } from '../video.js';
import type { EmulatorFlavour } from './types.js';

export interface StoredImage {
  bytes: Uint8Array;
  /** sha256 hex of the bytes: part of the render cache key. */
  sha256: string;
}

export type JobOutcome = { kind: 'completed' } | { kind: 'failed'; error: { code: string; message: string } };

export interface JobRecord {
  id: string;
  /** Hash of flavour + API key: the "project" that owns the job (lists, limits). Never the key itself. */
  owner: string;
  flavour: EmulatorFlavour;
  model: string;
  size: string;
  seconds: string;
  prompt: string;
  createdAtMs: number;
  /** Creation order, to break ties between jobs created in the same millisecond. */
  seq: number;
  renderMs: number;
  /** When the job reaches its terminal status. */
  finishAtMs: number;
  outcome: JobOutcome;
  remixedFromVideoId: string | null;
  image: StoredImage | undefined;
}

export interface LifecycleSettings {
  expiresAfterMs: number;
}

export function isTerminalAt(job: JobRecord, nowMs: number): boolean {
  return nowMs >= job.finishAtMs;
}

export function statusAt(job: JobRecord, nowMs: number): VideoStatus {
  if (nowMs >= job.finishAtMs) return job.outcome.kind;
  return nowMs - job.createdAtMs < job.renderMs * 0.1 ? 'queued' : 'in_progress';
}

function progressAt(job: JobRecord, atMs: number): number {
  if (job.renderMs <= 0) return 0;
  const share = (atMs - job.createdAtMs) / job.renderMs;
  return Math.max(0, Math.min(99, Math.floor(share * 100)));
}

function progressFor(job: JobRecord, status: VideoStatus, nowMs: number): number {
  if (status === 'completed') return 100;
  if (status === 'queued') return 0;
  return progressAt(job, status === 'failed' ? job.finishAtMs : nowMs);
}

/** When the content stops being downloadable (ms), or undefined when it never was. */
export function contentExpiresAtMs(job: JobRecord, settings: LifecycleSettings): number | undefined {
  return job.outcome.kind === 'completed' ? job.finishAtMs + settings.expiresAfterMs : undefined;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The Video object as a GET would return it at `nowMs`. */
export function videoAt(job: JobRecord, nowMs: number, settings: LifecycleSettings): Video {
  const status = statusAt(job, nowMs);
  const finished = status === 'completed' || status === 'failed';
  const expiresAtMs = contentExpiresAtMs(job, settings);
  return {
    id: job.id,
    object: 'video',
    model: job.model,
    status,
    progress: progressFor(job, status, nowMs),
    created_at: seconds(job.createdAtMs),
    completed_at: finished ? seconds(job.finishAtMs) : null,
    expires_at: status === 'completed' && expiresAtMs !== undefined ? seconds(expiresAtMs) : null,
    prompt: job.prompt,
    size: job.size,
    seconds: job.seconds,
    remixed_from_video_id: job.remixedFromVideoId,
    error: status === 'failed' && job.outcome.kind === 'failed' ? { ...job.outcome.error } : null,
  };
}

/** The `openai-poll-after-ms` hint while a job runs: half the remaining time, between 50 ms and 10 s. */
export function pollAfterMs(job: JobRecord, nowMs: number): number | undefined {
  if (isTerminalAt(job, nowMs)) return undefined;
  return Math.min(10_000, Math.max(50, Math.ceil((job.finishAtMs - nowMs) / 2)));
}
