/**
 * What a person asked for, whatever platform they typed it on.
 */
export interface GenerateIntent {
  kind: 'generate';
  prompt: string;
  seconds: string;
  size: string;
  model: string;
}
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

export type Intent =
  | GenerateIntent
  | RemixIntent
  | StatusIntent
  | ListIntent
  | DeleteIntent
  | HelpIntent
  | BudgetIntent
  | UsageIntent
  | ApprovalIntent;

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

/** A mistake the person can fix: the message says what to type instead. */
export interface UsageProblem {
  code: 'usage';
  message: string;
}

export type ParseResult<T = Intent> = { ok: true; intent: T } | { ok: false; problem: UsageProblem };
