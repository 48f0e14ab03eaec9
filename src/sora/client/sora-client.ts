/**
 * `SoraClient`, the one `VideoProvider` that talks to the wire: OpenAI, Azure OpenAI and the emulator
 * differ only in their flavour (flavour.ts). Every JSON answer is validated with the schemas of
 * ../video.ts; every failure is a SoraError with a stable code.
 */
import { randomUUID } from 'node:crypto';
import { addAbortSignal, PassThrough, type Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { CAPABILITIES, type ProviderCapabilities, type ProviderKind } from '../capabilities.js';
import { SoraError } from '../errors.js';
import type {
  ContentStream,
  CreateVideoRequest,
  ListVideosQuery,
  PaidRequestOptions,
  RequestOptions,
  VideoProvider,
  VideoWithHints,
} from '../provider.js';
import {
  type ContentVariant,
  type Video,
  type VideoDeleted,
  VideoDeletedSchema,
  type VideoList,
  VideoListSchema,
  VideoSchema,
} from '../video.js';
import { type FlavourSettings, resolveFlavour } from './flavour.js';
import { createFormData } from './multipart.js';
import type { RequestObserver } from './request-events.js';
import { errorFromBrokenDownload } from './response-errors.js';
import { headerValue } from './retry-policy.js';
import { type ClientLogger, HttpTransport, type Sleep } from './transport.js';

export type SoraClientOptions = FlavourSettings & {
  /** Per attempt; defaults to DEFAULTS.requestTimeoutMs via createProvider. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt (0 disables). */
  maxRetries?: number | undefined;
  logger?: ClientLogger | undefined;
  sleep?: Sleep | undefined;
  random?: (() => number) | undefined;
  now?: (() => number) | undefined;
  dispatcher?: Dispatcher | undefined;
  /** Told of every request attempt (the bot's metrics). */
  observe?: RequestObserver | undefined;
};

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RETRIES = 3;

const videoPath = (id: string) => `/videos/${encodeURIComponent(id)}`;

export class SoraClient implements VideoProvider {
  readonly kind: ProviderKind;
  readonly capabilities: ProviderCapabilities;
  private readonly transport: HttpTransport;
  private readonly modelFor: (requested: string | undefined) => string | undefined;
  private readonly timeoutMs: number;

  constructor(options: SoraClientOptions) {
    const flavour = resolveFlavour(options);
    this.kind = flavour.kind;
    this.capabilities = CAPABILITIES[flavour.kind];
    this.modelFor = flavour.modelFor;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.transport = new HttpTransport({
      flavour,
      timeoutMs: this.timeoutMs,
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
      logger: options.logger,
      sleep: options.sleep,
      random: options.random,
      now: options.now,
      dispatcher: options.dispatcher,
      observe: options.observe,
    });
  }

  async create(request: CreateVideoRequest, options?: PaidRequestOptions): Promise<Video> {
    const fields = {
      prompt: request.prompt,
      model: this.modelFor(request.model),
      seconds: request.seconds,
      size: request.size,
    };
    const image = request.image;
    const idempotencyKey = idempotencyKeyFor(options);
    const call = image
      ? {
          method: 'POST' as const,
          path: '/videos',
          form: () => createFormData(fields, image),
          idempotencyKey,
        }
      : { method: 'POST' as const, path: '/videos', json: withoutUndefined(fields), idempotencyKey };
    return (await this.transport.sendJson(call, VideoSchema, options)).value;
  }

  async retrieve(id: string, options?: RequestOptions): Promise<Video> {
    return (await this.retrieveWithHints(id, options)).video;
  }

  async retrieveWithHints(id: string, options?: RequestOptions): Promise<VideoWithHints> {
    const response = await this.transport.sendJson(
      { method: 'GET', path: videoPath(id) },
      VideoSchema,
      options,
    );
    return {
      video: response.value,
      pollAfterMs: pollAfterMs(response.headers),
      requestId: response.requestId,
    };
  }

  async listPage(query: ListVideosQuery = {}, options?: RequestOptions): Promise<VideoList> {
    const call = {
      method: 'GET' as const,
      path: '/videos',
      query: { after: query.after, limit: query.limit, order: query.order },
    };
    return (await this.transport.sendJson(call, VideoListSchema, options)).value;
  }

  async *list(query: ListVideosQuery = {}, options?: RequestOptions): AsyncGenerator<Video> {
    let after = query.after;
    for (;;) {
      const page = await this.listPage({ ...query, after }, options);
      yield* page.data;
      // A provider that says "more" but names no cursor would loop forever on the same page.
      if (!page.has_more || !page.last_id || page.last_id === after) return;
      after = page.last_id;
    }
  }

  async delete(id: string, options?: RequestOptions): Promise<VideoDeleted> {
    const call = { method: 'DELETE' as const, path: videoPath(id) };
    return (await this.transport.sendJson(call, VideoDeletedSchema, options)).value;
  }

  async remix(id: string, prompt: string, options?: PaidRequestOptions): Promise<Video> {
    const call = {
      method: 'POST' as const,
      path: `${videoPath(id)}/remix`,
      json: { prompt },
      idempotencyKey: idempotencyKeyFor(options),
    };
    return (await this.transport.sendJson(call, VideoSchema, options)).value;
  }

  async download(
    id: string,
    variant: ContentVariant = 'video',
    options?: RequestOptions,
  ): Promise<ContentStream> {
    const call = {
      method: 'GET' as const,
      path: `${videoPath(id)}/content`,
      query: { variant },
      accept: '*/*',
    };
    const response = await this.transport.send(call, options);
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    const body = withSoraErrors(response.body, (error) =>
      errorFromBrokenDownload(error, `${id} (${variant})`, timeoutMs),
    );
    const stream = options?.signal ? addAbortSignal(options.signal, body) : body;
    const length = Number(headerValue(response.headers, 'content-length'));
    return {
      stream,
      contentType: headerValue(response.headers, 'content-type') ?? null,
      length: Number.isFinite(length) && length >= 0 ? length : null,
      requestId: response.requestId,
    };
  }
}

/** Header-safe and within the 255 characters idempotency keys are commonly limited to. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * One key per paid call, chosen before the first attempt so that every retry sends the same one: the
 * provider then answers a retried create or remix with the job the first attempt started.
 */
function idempotencyKeyFor(options: PaidRequestOptions | undefined): string {
  const key = options?.idempotencyKey ?? randomUUID();
  if (!IDEMPOTENCY_KEY.test(key))
    throw new SoraError({
      code: 'invalid_request',
      message: 'idempotencyKey must be 1 to 255 visible ASCII characters (no spaces)',
      retryable: false,
    });
  return key;
}

/**
 * The body as a stream whose failures are SoraErrors like every other failure of the client. Chunks pass
 * through by reference (no copy, backpressure kept); a consumer that stops early releases the connection.
 */
function withSoraErrors(body: Readable, toSoraError: (error: unknown) => Error): Readable {
  const out = new PassThrough();
  body.once('error', (error) => out.destroy(toSoraError(error)));
  out.once('close', () => body.destroy());
  body.pipe(out);
  return out;
}

/** `openai-poll-after-ms`: the provider's suggested wait before the next retrieve (the Python SDK honours it). */
function pollAfterMs(headers: Record<string, string | string[] | undefined>): number | null {
  const raw = headerValue(headers, 'openai-poll-after-ms');
  if (raw === undefined) return null;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

function withoutUndefined(fields: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}
