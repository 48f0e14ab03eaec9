/**
 * The emulator's public option and handle types. Everything that touches the world (clock, logger,
 * webhook target, content streams) is injected so tests and benchmarks control it.
 */
import type { Readable } from 'node:stream';
import type { ContentVariant, Video } from '../video.js';

/** Milliseconds since the epoch, like `Date.now()`; tests pass a clock they can move forward. */
export interface EmulatorClock {
  now(): number;
}

/** pino-compatible subset (`logger.info({ ... }, 'message')`). */
export interface EmulatorLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface FaultOptions {
  /** Share of requests (0..1) answered with an injected 500 `server_error`. */
  errorRate?: number;
  /** Delay added before every request is handled, in ms. */
  latencyMs?: number;
  /** Share of requests (0..1) whose socket is destroyed without any answer. */
  dropRate?: number;
  /** Seed of the deterministic generator deciding which requests fail (same seed, same sequence). */
  seed?: number;
  /**
   * Share of job creations (create and remix; 0..1) that start the job and then answer 502 Bad Gateway,
   * as a gateway that lost the provider's answer would. A repeat with the same `Idempotency-Key` gets
   * the job back; a repeat without one starts a second job (a second paid render on a real provider).
   */
  failAfterCreateRate?: number;
  /** Leave `prompt` out of the video objects of retrieve and list, as some providers do. */
  omitPrompt?: boolean;
}

export interface WebhookOptions {
  /** Where `video.completed` / `video.failed` events are POSTed. */
  url: string;
  /** Standard Webhooks secret, `whsec_` followed by base64. */
  secret: string;
}

export type EmulatorFlavour = 'openai' | 'azure';

export interface EmulatorOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Time from queued to completed, in ms (default 10 000). */
  renderMs?: number;
  /** Jobs queued or in progress at once per API key before 429 "Too many running tasks" (default 10). */
  maxRunning?: number;
  /** Job creations (create and remix) per rolling minute per API key; 0 = unlimited (default 0). */
  requestsPerMinute?: number;
  /** The length of that "minute" in ms (default 60 000); benchmarks scale time down with it. */
  windowMs?: number;
  /** When set, the only key accepted; when unset any non-empty key is (a missing one is still a 401). */
  apiKey?: string;
  clock?: EmulatorClock;
  /** How long content stays downloadable after completion, in ms (default 3 600 000, OpenAI's hour). */
  expiresAfterMs?: number;
  faults?: FaultOptions;
  webhook?: WebhookOptions;
  /** Serve this stream instead of a rendered file (e.g. a huge synthetic body for a benchmark). */
  contentOverride?: (videoId: string, variant: ContentVariant) => Readable | undefined;
  logger?: EmulatorLogger;
  /** The ffmpeg binary; resolved from FFMPEG_PATH / PATH / @ffmpeg-installer when omitted. */
  ffmpegPath?: string;
  /** Where rendered files are cached; default a fresh temp dir removed on close. */
  cacheDir?: string;
  /** A JSON file keeping the jobs across restarts (the bot's embedded emulator uses DATA_DIR/emulator). */
  stateFile?: string;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `url + '/v1'`, for OpenAI clients. */
  openaiBaseUrl: string;
  /** `url`; Azure clients append `/openai/v1`. */
  azureEndpoint: string;
  close(): Promise<void>;
  /** Every video not deleted, of every key, as a GET would show it now (for tests). */
  videos(): Video[];
  /**
   * An outage: every API request is answered with this status (e.g. 503) until called with null,
   * as a deployment that went down would. Renders in progress go on meanwhile. Also reachable over
   * HTTP: `POST /_emulator/outage {"status":503}` and `DELETE /_emulator/outage`.
   */
  setOutage(status: number | null): void;
}
