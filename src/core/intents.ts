/**
 * What a person asked for, whatever platform they typed it on.
 */
export interface GenerateIntent {
  kind: 'generate';
  prompt: string;
  seconds: string;
  size: string;
  model: string;
  /**
   * The person named no size (no `--size`, `--landscape`, `--portrait`): `size` is the model's default,
   * and an attached image decides portrait or landscape instead (reference-image.ts). Absent: false.
   */
  autoSize?: boolean;
  /** How an attached image meets the frame (`--fit`); absent: `cover`. */
  fit?: ImageFit;
}

/**
 * `cover` fills the frame and cuts what overflows, evenly from both sides; `contain` shows the whole
 * image, scaled to fit and padded with black bars.
 */
export const IMAGE_FITS = ['cover', 'contain'] as const;
export type ImageFit = (typeof IMAGE_FITS)[number];
export interface RemixIntent {
  kind: 'remix';
  jobId: string;
  prompt: string;
}
export interface StatusIntent {
  kind: 'status';
  jobId: string;
}
export interface ListIntent {
  kind: 'list';
  all: boolean;
  page: number;
}
export interface DeleteIntent {
  kind: 'delete';
  jobId: string;
}
export interface HelpIntent {
  kind: 'help';
}
/** `/sora budget` (show) or an admin's `/sora budget workspace 300/month`, `/sora budget @person 5/day|off`. */
export interface BudgetIntent {
  kind: 'budget';
  change: {
    target: { kind: 'workspace' } | { kind: 'person'; user: string };
    period: 'day' | 'month';
    /** null: `off` (no limit). */
    dollars: number | null;
    /** `off` for a person without a period: lifts the day and the month limit. */
    both?: boolean;
  } | null;
}
/** `/sora usage [month|day|YYYY-MM]`. */
export interface UsageIntent {
  kind: 'usage';
  period: { kind: 'day' } | { kind: 'month'; year: number | null; month: number | null };
}
/** A press of Approve or Deny on a job waiting for an admin (buttons only, never typed). */
export interface ApprovalIntent {
  kind: 'approval';
  jobId: string;
  approve: boolean;
}

/** A press of Cancel, Retry or Again on a job's message (buttons only, never typed; job-controls.ts). */
export interface ControlIntent {
  kind: 'control';
  action: 'cancel' | 'retry' | 'again';
  jobId: string;
}
/** `/sora settings` (show them) and `/sora settings notify on|off` (settings-command-parser.ts). */
export interface SettingsIntent {
  kind: 'settings';
  /** Whether the person is mentioned when their video is delivered, fails or is refused; null: show. */
  notify: boolean | null;
}

export type Intent =
  | GenerateIntent
  | RemixIntent
  | StatusIntent
  | ListIntent
  | DeleteIntent
  | HelpIntent
  | BudgetIntent
  | UsageIntent
  | ApprovalIntent
  | ControlIntent
  | SettingsIntent;

/** Metadata of an attached file, known before anything is downloaded. */
export interface AttachmentMeta {
  filename: string;
  /** As the platform declared it; verified again from the bytes after download. */
  contentType: string | null;
  bytes: number | null;
}

/**
 * What an attachment's `fetch()` throws when the reason is worth telling the person: `reason` finishes
 * the sentence "I couldn't use `photo.png`: it ..." (e.g. "is over 20 MB"). Any other error reads
 * "I couldn't download it".
 */
export class AttachmentError extends Error {
  override readonly name: string = 'AttachmentError';
  constructor(
    readonly reason: string,
    message = reason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An attachment the core can fetch lazily; the adapter hides the platform's download rules. */
export interface Attachment extends AttachmentMeta {
  fetch(): Promise<Uint8Array>;
}

/**
 * Stable codes of the mistakes a command can hold (adapters and tests match on these, never on the
 * wording).
 */
export const USAGE_CODES = [
  /** No prompt, or a remix without its new prompt. */
  'missing_prompt',
  'prompt_too_long',
  /** `--something` the grammar does not know (`--` before the prompt keeps such words as text). */
  'unknown_option',
  /** An option that takes a value came last. */
  'missing_value',
  /** A value of the wrong form (`--page 0`, `--fit stretch`, `usage 2026-13`, `budget @a lots`). */
  'invalid_value',
  /** Two options that exclude each other (`--size` with `--landscape`). */
  'conflicting_options',
  /** A model, size or length the configured provider does not render. */
  'unsupported',
  /** status/delete/remix without an id, or with a word that is not one. */
  'missing_id',
  /** The attachment is not an image the provider takes, or too large. */
  'invalid_image',
] as const;
export type UsageCode = (typeof USAGE_CODES)[number];

/**
 * Which part of the request is at fault, so a form marks that field (Slack's `response_action:
 * errors`, the playground's inputs) instead of checking everything itself a second time.
 */
export const USAGE_FIELDS = [
  'prompt',
  'seconds',
  'size',
  'model',
  'fit',
  'image',
  'id',
  'page',
  'budget',
  'period',
  'setting',
] as const;
export type UsageField = (typeof USAGE_FIELDS)[number];

/** A mistake the person can fix: the message (one sentence, chat markdown) says what to type instead. */
export interface UsageProblem {
  code: UsageCode;
  field: UsageField;
  message: string;
}

export type ParseResult<T = Intent> = { ok: true; intent: T } | { ok: false; problem: UsageProblem };
