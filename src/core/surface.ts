/**
 * The `ChatSurface` port: what the core needs from a chat platform. One per adapter (Slack, Discord,
 * playground). References to messages (`statusRef`, `deliveredRef`) are opaque strings the adapter
 * encodes and decodes itself. Optional members are optional abilities; the core falls back without them.
 */
import type { BotMessage, ResultMessage, StatusMessage } from './messages.js';
import type { Platform } from './requester.js';

export interface SurfaceLimits {
  /** The largest file the platform accepts from the bot, when known (Discord: per guild). */
  maxUploadBytes: number | null;
  /** Never edit a status message more often than this (platform rate limits). */
  progressIntervalMs: number;
}

export interface ThreadStart {
  /** Where the job lives from now on (e.g. the Slack thread under the parent message). */
  conversation: string;
  /** The status message, edited with progress later. */
  statusRef: string;
}

export interface VideoDelivery {
  /** The job being delivered (adapters may tag their messages with it, e.g. a Discord nonce). */
  jobId: string;
  conversation: string;
  /** The finished MP4 under DATA_DIR: stream it, never read it whole. */
  videoPath: string;
  videoBytes: number;
  /**
   * The video's still (WebP) under DATA_DIR, or null when the provider has none. Downloaded on the
   * first call and recorded on the job: only a surface that shows it asks (the playground's poster,
   * Slack's fallback when it refuses the video), so the others never pay a second download.
   */
  thumbnail(): Promise<string | null>;
  message: ResultMessage;
}

/**
 * What the surface tells the core while it delivers. The core persists each checkpoint on the job
 * (fenced by its delivery lease) before the call returns, so the adapter calls it right before the
 * step that makes the video visible: after a crash, `findDelivery` gets these facts back and can ask
 * the platform about exactly that file or message instead of searching history. The first checkpoint
 * also begins the lease's side effect (Store.beginSideEffect; it throws LeaseLostError when another
 * replica took the delivery over): nothing may become visible before it.
 */
export interface DeliveryProgress {
  checkpoint(facts: Readonly<Record<string, string>>): Promise<void>;
}

/** Everything a delivery created: the core records it, so a delete can remove all of it. */
export interface DeliveredVideo {
  /** The message that carries the video (reactions, buttons and `markDeleted` address it). */
  messageRef: string;
  /** Any other reference it created (an uploaded file, a second message), in the adapter's encoding. */
  otherRefs: readonly string[];
}

export interface ChatSurface {
  readonly platform: Platform;
  readonly limits: SurfaceLimits;
  /** Posts the first status message of a job in `conversation`, opening a thread when the platform has them. */
  startJob(conversation: string, message: StatusMessage): Promise<ThreadStart>;
  updateStatus(conversation: string, statusRef: string, message: StatusMessage): Promise<void>;
  /** Posts the video into the job's conversation; returns every reference it created. */
  deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo>;
  /** Posts a message (a failure, a notice) into the conversation for everyone there. */
  post(conversation: string, message: BotMessage): Promise<string>;
  /**
   * Only when resuming a delivery that began before a crash: was the video already posted? A pure
   * lookup, given the checkpoints the adapter recorded (`facts`, possibly empty when the crash came
   * before the first one). Lets the core deliver exactly once; without it the core posts again.
   */
  findDelivery?(
    conversation: string,
    jobId: string,
    facts: Readonly<Record<string, string>>,
  ): Promise<DeliveredVideo | undefined>;
  /**
   * Replaces a delivered video's message by a "deleted" note and removes whatever else the delivery
   * created (`otherRefs`). Called by delete, also for a delivery that finished after the delete.
   */
  markDeleted?(conversation: string, delivered: DeliveredVideo, message: BotMessage): Promise<void>;
}

export const SURFACE_ERROR_CODES = [
  /** The bot is not in the channel (private channel, DM between people): the person must invite it. */
  'not_in_channel',
  /** The platform refused the file (too large, uploads disabled). */
  'upload_refused',
  /** Rate limited beyond what the adapter waits out by itself. */
  'rate_limited',
  /** Anything else the platform answered. */
  'platform_error',
] as const;
export type SurfaceErrorCode = (typeof SURFACE_ERROR_CODES)[number];

/** What adapters throw from ChatSurface calls: a stable code plus a sentence for the person. */
export class SurfaceError extends Error {
  override readonly name = 'SurfaceError';
  constructor(
    readonly code: SurfaceErrorCode,
    /** Written for the person, e.g. "I can't post in this private channel: /invite @sora-bot first." */
    readonly userMessage: string,
    readonly retryable = code === 'rate_limited' || code === 'platform_error',
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${userMessage}`, options);
  }
}
