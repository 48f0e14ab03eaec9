/**
 * The neutral message model: what the bot says, without any platform markup. Each adapter renders it
 * in its own format (Slack blocks, Discord embeds/components, playground HTML). Every string that
 * came from a person (prompts, names) is DATA: renderers must escape it for their format.
 */
import type { Job, JobState } from './job.js';

export interface JobView {
  id: string;
  prompt: string;
  seconds: string;
  size: string;
  model: string;
  state: JobState;
  progress: number;
  requesterUser: string;
  requesterName: string | null;
  remixOf: string | null;
  hasImage: boolean;
  /**
   * How the picture met the frame: `image` when no size was asked for and the picture's shape chose
   * it (the status says "landscape, from your image"); `contain` when it is shown whole, with bars.
   */
  frame?: { sizeFrom: 'request' | 'image'; fit: 'cover' | 'contain' } | null;
  createdAt: number;
  failureCode: string | null;
  /** The estimate reserved for it, in micro-dollars (null for jobs made before budgets). */
  costMicros?: number | null;
  /** Waiting for an admin (`pending`), or how an approval ended. */
  approval?: 'pending' | 'approved' | 'denied' | 'expired' | null;
  /** The pool deployment that made it (SORA_POOL's name; never a key or endpoint); null without a pool. */
  deployment?: string | null;
}

export function toJobView(job: Job): JobView {
  return {
    id: job.id,
    prompt: job.request.prompt,
    seconds: job.request.seconds,
    size: job.request.size,
    model: job.request.model,
    state: job.state,
    progress: job.progress,
    requesterUser: job.requester.user,
    requesterName: job.requester.displayName ?? null,
    remixOf: job.request.remixOf,
    hasImage: job.request.imagePath !== null,
    frame: job.request.imagePath !== null ? { sizeFrom: job.request.sizeFrom, fit: job.request.fit } : null,
    createdAt: job.createdAt,
    failureCode: job.failure?.code ?? null,
    costMicros: job.cost?.micros ?? null,
    approval: job.approval?.state ?? null,
    ...(job.deployment ? { deployment: job.deployment } : {}),
  };
}

/** Buttons. Adapters encode them into their own ids (`sora:remix:abc234`) and decode clicks back. */
export type Action =
  | { kind: 'remix'; jobId: string; label: string }
  | { kind: 'delete'; jobId: string; label: string }
  | { kind: 'list_page'; page: number; all: boolean; label: string }
  /** An admin's decision on a job waiting for approval (anyone may press; only admins count). */
  | { kind: 'approve'; jobId: string; label: string }
  | { kind: 'deny'; jobId: string; label: string }
  /** Stops a job before its video is delivered (the requester or an admin; job-controls.ts). */
  | { kind: 'cancel'; jobId: string; label: string }
  /** The same request again, as a new job, after a failure. */
  | { kind: 'retry'; jobId: string; label: string }
  /** The same prompt and options again, as a new render, from a delivered video. */
  | { kind: 'again'; jobId: string; label: string };

export type StatusPhase =
  | 'approval'
  | 'queued'
  | 'submitting'
  | 'rendering'
  | 'downloading'
  | 'delivering'
  | 'done'
  | 'failed'
  | 'deleted'
  /** Deleted by Cancel before its video was delivered. */
  | 'cancelled';

export interface StatusMessage {
  kind: 'status';
  job: JobView;
  phase: StatusPhase;
  progress: number;
  /** 1-based position in the team queue while queued. */
  queuePosition: number | null;
  /** Estimated time until the provider starts on it, while queued. */
  etaMs: number | null;
  /** While queued and nothing can start (every deployment of the pool is out): why, in one line. */
  held?: string | null;
  /** Buttons on the status message (Approve / Deny while it waits for an admin); none when absent. */
  actions?: Action[];
  /** Phase `cancelled`: who pressed Cancel, and whether the job had already been sent to Sora. */
  cancelled?: { by: string | null; sent: boolean } | null;
}

export interface ResultMessage {
  kind: 'result';
  job: JobView;
  /** Extra lines the adapter adds to the caption (e.g. "re-encoded to fit Discord's upload limit"). */
  notes: string[];
  actions: Action[];
  /**
   * The platform user id to mention (notify-settings.ts): the requester, unless SORA_NOTIFY=none or
   * they turned it off. Only ever a requester's id, never text from a prompt; absent: nobody.
   */
  mention?: string | null;
}

export interface FailureMessage {
  kind: 'failure';
  job: JobView | null;
  code: string;
  /** What happened, in plain words. */
  text: string;
  /** What to do about it. */
  hint: string | null;
  requestId: string | null;
  /** As on ResultMessage: whom to mention when a job failed or was refused. */
  mention?: string | null;
  /** Retry, when the same request may succeed another time. */
  actions?: Action[];
}

export interface ListMessage {
  kind: 'list';
  scope: 'mine' | 'channel';
  jobs: JobView[];
  page: number;
  pageCount: number;
  total: number;
  actions: Action[];
}

export interface JobDetailsMessage {
  kind: 'job_details';
  job: JobView;
  queuePosition: number | null;
  actions: Action[];
}

export interface HelpMessage {
  kind: 'help';
  commands: { usage: string; description: string }[];
  notes: string[];
}

/** `/sora usage`: spend for a period, as a chart image and the numbers beside it. Private to the asker. */
export interface UsageMessage {
  kind: 'usage';
  title: string;
  /** Plain lines (totals, per person, per model); names in them are data. */
  lines: string[];
  /** A PNG of spend per day; null when it could not be drawn (the lines still say everything). */
  chart: { png: Uint8Array; filename: string; alt: string } | null;
}

export interface NoticeMessage {
  kind: 'notice';
  tone: 'info' | 'success' | 'warning' | 'error';
  text: string;
}

export type BotMessage =
  | StatusMessage
  | ResultMessage
  | FailureMessage
  | ListMessage
  | JobDetailsMessage
  | HelpMessage
  | UsageMessage
  | NoticeMessage;

/** `▓▓▓▓▓░░░░░ 50%`: the same bar on every platform. */
export function progressBar(percent: number, width = 20): string {
  const pct = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round((pct / 100) * width);
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)} ${pct}%`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return rest ? `${m}m ${rest}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}m`;
}
