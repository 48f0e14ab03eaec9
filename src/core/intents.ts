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

export type Intent = GenerateIntent | RemixIntent | StatusIntent | ListIntent | DeleteIntent | HelpIntent;

/** Metadata of an attached file, known before anything is downloaded. */
export interface AttachmentMeta {
  filename: string;
  /** As the platform declared it; verified again from the bytes after download. */
  contentType: string | null;
  bytes: number | null;
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
