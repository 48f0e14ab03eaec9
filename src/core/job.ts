/**
 * A job's durable record. Every state change is written to the ledger before its side effect:
 * accepted -> waiting (team queue) -> submitted (provider id known) -> rendering -> downloading
 * -> delivering -> delivered, or failed (with a code) / deleted.
 */
import { z } from 'zod';
import { RequesterSchema } from './requester.js';

export const JOB_STATES = [
  'accepted',
  'waiting',
  'submitted',
  'rendering',
  'downloading',
  'delivering',
  'delivered',
  'failed',
  'deleted',
] as const;
export const JobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobStateSchema>;

export const TERMINAL_STATES: readonly JobState[] = ['delivered', 'failed', 'deleted'];
/** States in which the provider is working on the job (they count against the concurrency cap). */
export const AT_PROVIDER_STATES: readonly JobState[] = ['submitted', 'rendering'];

export function isTerminal(state: JobState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** Stable failure codes shown to people and used by adapters; never match on message text. */
export const FAILURE_CODES = [
  'moderation_blocked',
  'invalid_request',
  'provider_error',
  'expired',
  'delivery_failed',
  'image_invalid',
  'auth',
  'approval_denied',
  'approval_expired',
] as const;
export const FailureCodeSchema = z.enum(FAILURE_CODES);
export type FailureCode = z.infer<typeof FailureCodeSchema>;

export const JobRequestSchema = z.object({
  kind: z.enum(['generate', 'remix']),
  prompt: z.string().min(1),
  seconds: z.string(),
  size: z.string(),
  model: z.string(),
  /** The reference image, already fitted to `size`, stored under DATA_DIR. */
  imagePath: z.string().nullable().default(null),
  /** Short id of the job this one remixes. */
  remixOf: z.string().nullable().default(null),
  /** Provider video id of the remixed video (internal). */
  remixOfVideoId: z.string().nullable().default(null),
  /** How the reference image met the frame (`--fit`): cropped to fill it, or whole with bars. */
  fit: z.enum(['cover', 'contain']).default('cover'),
  /** `image`: no size was asked for and the attached picture's shape chose portrait or landscape. */
  sizeFrom: z.enum(['request', 'image']).default('request'),
});
export type JobRequest = z.infer<typeof JobRequestSchema>;

export const JobSchema = z.object({
  id: z.string(),
  state: JobStateSchema,
  requester: RequesterSchema,
  /** Channel-level scope, for `list --all` (e.g. `slack:T1:C1`). */
  channel: z.string(),
  /** Where status, result and errors go (a thread once the status message opened one). */
  conversation: z.string(),
  /** The platform's id for the command that created this job (see SoraCore.run); null when none. */
  idempotencyKey: z.string().nullable().default(null),
  /** The adapter's reference to the status message (edited with progress). */
  statusRef: z.string().nullable().default(null),
  /** The adapter's reference to the message carrying the video. */
  deliveredRef: z.string().nullable().default(null),
  request: JobRequestSchema,
  providerVideoId: z.string().nullable().default(null),
  /**
   * The pool deployment the job was sent to (SORA_POOL's `name`), written with `submitStartedAt`:
   * polling, download, delete and remixes of it go there. Null (and absent in records of earlier
   * versions): the pool's first deployment, the single provider of a bot without SORA_POOL.
   */
  deployment: z.string().nullable().default(null),
  progress: z.number().min(0).max(100).default(0),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Set just before the create call: a restart in between adopts the provider's job instead of paying twice. */
  submitStartedAt: z.number().nullable().default(null),
  submittedAt: z.number().nullable().default(null),
  submitAttempts: z.number().int().default(0),
  /**
   * Generation of the create's Idempotency-Key (`sora-bot-ID-N`): the same key on every retry after a
   * 5xx or timeout (the provider answers with the job it may already have made), a new one only after
   * an answer that proves nothing was created (429).
   */
  submitKeyGeneration: z.number().int().default(0),
  /** Back-pressure: not before this time (after a provider 429 or an error). */
  notBefore: z.number().nullable().default(null),
  nextPollAt: z.number().nullable().default(null),
  pollIntervalMs: z.number().nullable().default(null),
  completedAt: z.number().nullable().default(null),
  /** When the provider drops the assets (after that, content is 404). */
  providerExpiresAt: z.number().nullable().default(null),
  deliveredAt: z.number().nullable().default(null),
  /** Written before the surface is asked to post: a job found `delivering` with it set resumes with findDelivery. */
  deliveryStartedAt: z.number().nullable().default(null),
  /** What the surface recorded before its side effect (e.g. the Slack file id), for findDelivery. */
  deliveryFacts: z.record(z.string(), z.string()).default({}),
  /** Every other reference the delivery created (files, extra messages), removed on delete. */
  deliveredOtherRefs: z.array(z.string()).default([]),
  /** Since when the provider reports a status this version does not know (counted as in progress). */
  unknownStatusSince: z.number().nullable().default(null),
  deletedAt: z.number().nullable().default(null),
  /** Display name or id of who deleted it (for the note on the delivered message). */
  deletedBy: z.string().nullable().default(null),
  /**
   * Set when `deleted` came from Cancel (job-controls.ts): the job was stopped before its video was
   * delivered. A cancel is a delete in every other respect, so each step's "delete always wins" check
   * covers it, and a replica of an earlier version reads the record as an ordinary deleted job.
   */
  cancelledAt: z.number().nullable().default(null),
  /** Set once the provider copy, the files and the posted messages of a deleted job are gone. */
  cleanupDoneAt: z.number().nullable().default(null),
  files: z
    .object({ video: z.string().nullable(), thumbnail: z.string().nullable() })
    .default({ video: null, thumbnail: null }),
  filesRemovedAt: z.number().nullable().default(null),
  failure: z
    .object({ code: FailureCodeSchema, message: z.string(), requestId: z.string().nullable() })
    .nullable()
    .default(null),
  /**
   * What the video was estimated to cost and the budget periods its reservation counts against
   * (see budget-book.ts); null for jobs made before budgets existed. Whether it was charged or
   * refunded is the usage log's to say (`SoraCore.costOf`), so settling writes no job record.
   */
  cost: z
    .object({
      micros: z.number().int().nonnegative(),
      reservedAt: z.number(),
      day: z.string(),
      month: z.string(),
    })
    .nullable()
    .default(null),
  /** Set when the estimate was above SORA_APPROVAL_ABOVE: the job waits for an admin. */
  approval: z
    .object({
      state: z.enum(['pending', 'approved', 'denied', 'expired']),
      requestedAt: z.number(),
      decidedAt: z.number().nullable().default(null),
      decidedBy: z.string().nullable().default(null),
    })
    .nullable()
    .default(null),
  /** Discord keeps the last known upload cap per guild; adapters may stash small facts here. */
  lastStatusAt: z.number().nullable().default(null),
});
export type Job = z.infer<typeof JobSchema>;
export type JobInput = z.input<typeof JobSchema>;

/**
 * `job` with `change` applied, validated as JobSchema would validate the merged record: `job` is
 * already valid and no rule of the schema spans fields, so only the changed fields are parsed (the
 * ledger does this on every transition; parsing the whole record there was the largest cost of the
 * core's own code in a replica's profile). Keys
 * the schema does not know are dropped, as parsing drops them. The result shares the unchanged nested
 * values with `job`: records are never mutated in place.
 */
export function applyJobChange(job: Job, change: Partial<Job>): Job {
  const next: Record<string, unknown> = { ...job };
  const shape: Record<string, z.ZodType> = JobSchema.shape;
  for (const [key, value] of Object.entries(change)) {
    const field = shape[key]?.safeParse(value);
    // A bad value: the whole record's parse throws the error it always threw (with the field's path).
    if (field?.success === false) return JobSchema.parse({ ...job, ...change });
    if (field) next[key] = field.data;
  }
  return next as Job;
}
