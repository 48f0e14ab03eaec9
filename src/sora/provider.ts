/**
 * The `VideoProvider` port: everything the bot needs from a Sora backend. The HTTP client
 * (src/sora/client) implements it for OpenAI and Azure; the emulator is reached through the same
 * client, so there is exactly one implementation that talks to the wire.
 */
import type { Readable } from 'node:stream';
import type { ProviderCapabilities, ProviderKind } from './capabilities.js';
import type { ContentVariant, Video, VideoDeleted, VideoList } from './video.js';

export interface ReferenceImage {
  data: Uint8Array;
  /** `image/jpeg`, `image/png` or `image/webp`. */
  contentType: string;
  filename: string;
}

export interface CreateVideoRequest {
  prompt: string;
  /** On Azure this is replaced by the deployment name; callers pass the model family. */
  model?: string;
  seconds?: string;
  size?: string;
  /** Image-to-video: sent as multipart `input_reference`; its pixel size must equal `size`. */
  image?: ReferenceImage;
}

export interface ListVideosQuery {
  after?: string;
  limit?: number;
  order?: 'asc' | 'desc';
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's per-request timeout. */
  timeoutMs?: number;
  /** Overrides the client's retry count (0 disables retries). */
  maxRetries?: number;
}

/**
 * Options of the two calls that start a paid render (create and remix). Both always send an
 * `Idempotency-Key` header, the same one on every retry of the call, so a retry after a lost answer
 * (5xx, timeout, dropped connection) gets the original job back instead of starting a second render.
 */
export interface PaidRequestOptions extends RequestOptions {
  /**
   * The `Idempotency-Key` to send; a random UUID per call when omitted. Pass a key of your own (e.g.
   * one derived from the job) to make a later, separate call for the same job idempotent too.
   * 1..255 visible ASCII characters. Providers keep keys about 24 h.
   */
  idempotencyKey?: string;
}

/** A Video plus what the response headers told us about polling. */
export interface VideoWithHints {
  video: Video;
  /** `openai-poll-after-ms`, when the provider suggested a poll interval. */
  pollAfterMs: number | null;
  requestId: string | null;
}

export interface ContentStream {
  stream: Readable;
  contentType: string | null;
  /** Content-Length when the provider sent one. */
  length: number | null;
  requestId: string | null;
}

export interface VideoProvider {
  readonly kind: ProviderKind;
  readonly capabilities: ProviderCapabilities;
  /** Starts a paid render. See PaidRequestOptions for the `Idempotency-Key` it always sends. */
  create(request: CreateVideoRequest, options?: PaidRequestOptions): Promise<Video>;
  retrieve(id: string, options?: RequestOptions): Promise<Video>;
  /** Like `retrieve`, plus the poll hint header; the delivery loop uses this one. */
  retrieveWithHints(id: string, options?: RequestOptions): Promise<VideoWithHints>;
  /** One page of the list endpoint. */
  listPage(query?: ListVideosQuery, options?: RequestOptions): Promise<VideoList>;
  /** Every video, page after page (cursor `after` = the previous page's `last_id`). */
  list(query?: ListVideosQuery, options?: RequestOptions): AsyncIterable<Video>;
  delete(id: string, options?: RequestOptions): Promise<VideoDeleted>;
  /** Starts a paid render from a completed video; idempotent like `create`. */
  remix(id: string, prompt: string, options?: PaidRequestOptions): Promise<Video>;
  /** Streams one content variant; never buffers it whole. */
  download(id: string, variant?: ContentVariant, options?: RequestOptions): Promise<ContentStream>;
}
