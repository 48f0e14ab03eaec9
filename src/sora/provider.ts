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
  create(request: CreateVideoRequest, options?: RequestOptions): Promise<Video>;
  retrieve(id: string, options?: RequestOptions): Promise<Video>;
  /** Like `retrieve`, plus the poll hint header; the delivery loop uses this one. */
  retrieveWithHints(id: string, options?: RequestOptions): Promise<VideoWithHints>;
  /** One page of the list endpoint. */
  listPage(query?: ListVideosQuery, options?: RequestOptions): Promise<VideoList>;
  /** Every video, page after page (cursor `after` = the previous page's `last_id`). */
  list(query?: ListVideosQuery, options?: RequestOptions): AsyncIterable<Video>;
  delete(id: string, options?: RequestOptions): Promise<VideoDeleted>;
  remix(id: string, prompt: string, options?: RequestOptions): Promise<Video>;
  /** Streams one content variant; never buffers it whole. */
  download(id: string, variant?: ContentVariant, options?: RequestOptions): Promise<ContentStream>;
}
