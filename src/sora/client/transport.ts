/**
 * One HTTP exchange with the provider, on undici: auth headers from the flavour, a timeout on every
 * attempt, retries with backoff (retry-policy.ts), and every failure converted to a SoraError
 * (response-errors.ts). It logs method, path, status, duration, request id and the Idempotency-Key of a
 * paid call (not a secret), never other headers or bodies.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, type Dispatcher, type FormData, request } from 'undici';
import type { z } from 'zod';
import { SoraError } from '../errors.js';
import type { RequestOptions } from '../provider.js';
import type { Flavour } from './flavour.js';
import { endpointOf, outcomeOfStatus, type RequestObserver, type RequestOutcome } from './request-events.js';
import { errorFromNetwork, errorFromResponse, requestIdFrom, unexpectedShape } from './response-errors.js';
import { type BackoffSettings, backoffDelayMs, DEFAULT_BACKOFF } from './retry-policy.js';

/** pino-compatible: `logger.debug({ ...fields }, 'message')`. */
export interface ClientLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface TransportSettings {
  flavour: Flavour;
  timeoutMs: number;
  maxRetries: number;
  logger?: ClientLogger | undefined;
  /** Injected so tests can observe (and skip) the waits between retries. */
  sleep?: Sleep | undefined;
  /** Injected so tests can pin the jitter; returns [0, 1). */
  random?: (() => number) | undefined;
  now?: (() => number) | undefined;
  backoff?: BackoffSettings | undefined;
  /** An undici Agent/Pool; one Agent of this module's own when omitted (see `ownAgent`). */
  dispatcher?: Dispatcher | undefined;
  /** Told of every attempt (endpoint, outcome, duration): the bot's metrics. */
  observe?: RequestObserver | undefined;
}

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface HttpCall {
  method: HttpMethod;
  /** Relative to the flavour's base URL, e.g. `/videos/video_1/content`. */
  path: string;
  query?: Record<string, string | number | undefined> | undefined;
  json?: unknown;
  /** A FormData can be sent once only, so each attempt builds a fresh one. */
  form?: (() => FormData) | undefined;
  /** `application/json` unless said otherwise (content downloads accept anything). */
  accept?: string | undefined;
  /**
   * Sent as `Idempotency-Key`, the same on every attempt. A POST carrying one may be repeated after a
   * lost answer (the provider answers the original job); a POST without one is not.
   */
  idempotencyKey?: string | undefined;
}

type ResponseBody = Dispatcher.ResponseData['body'];

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  requestId: string | null;
  /** Open: the caller consumes it. */
  body: ResponseBody;
}

export interface JsonResponse<T> {
  value: T;
  headers: Record<string, string | string[] | undefined>;
  requestId: string | null;
}

const defaultSleep: Sleep = (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined);

/**
 * Never the process-wide dispatcher: on Node 24 that slot already holds Node's own bundled undici when
 * ours loads, and Node's copy cannot send the FormData ours builds for an image-to-video create (its
 * body stream fails with "action is not a function"). A client given no dispatcher shares this one.
 */
let sharedAgent: Agent | undefined;
function ownAgent(): Agent {
  sharedAgent ??= new Agent();
  return sharedAgent;
}

/** Our own timeout reason, told apart from a caller's abort. */
class AttemptTimeout extends Error {}

export class HttpTransport {
  private readonly host: string;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly backoff: BackoffSettings;

  constructor(private readonly settings: TransportSettings) {
    this.host = new URL(settings.flavour.baseUrl).host;
    this.sleep = settings.sleep ?? defaultSleep;
    this.random = settings.random ?? Math.random;
    this.now = settings.now ?? Date.now;
    this.backoff = settings.backoff ?? DEFAULT_BACKOFF;
  }

  /** Sends, retries, and returns the successful response with its body still open (for streaming). */
  async send(call: HttpCall, options: RequestOptions = {}): Promise<HttpResponse> {
    return this.withRetries(call, options, async (response) => response);
  }

  /** Sends and validates the JSON body of the successful response against `schema`. */
  async sendJson<T>(
    call: HttpCall,
    schema: z.ZodType<T>,
    options: RequestOptions = {},
  ): Promise<JsonResponse<T>> {
    return this.withRetries(call, options, async (response) => {
      const text = await response.body.text();
      const what = `${call.method} ${call.path}`;
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        throw unexpectedShape(
          what,
          'not JSON',
          response.headers,
          response.status,
          this.settings.flavour.apiKey,
        );
      }
      const parsed = schema.safeParse(data);
      if (!parsed.success)
        throw unexpectedShape(
          what,
          parsed.error,
          response.headers,
          response.status,
          this.settings.flavour.apiKey,
        );
      return { value: parsed.data, headers: response.headers, requestId: response.requestId };
    });
  }

  private async withRetries<R>(
    call: HttpCall,
    options: RequestOptions,
    consume: (response: HttpResponse) => Promise<R>,
  ): Promise<R> {
    const maxRetries = options.maxRetries ?? this.settings.maxRetries;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(call, options, consume);
      if (outcome.ok) return outcome.value;
      const { error, mayRetry } = outcome;
      if (!mayRetry || !error.retryable || attempt >= maxRetries) throw error;
      const waitMs = error.retryAfterMs ?? backoffDelayMs(attempt, this.random, this.backoff);
      this.settings.logger?.warn(
        {
          method: call.method,
          path: call.path,
          status: error.status,
          code: error.code,
          requestId: error.requestId,
          ...(call.idempotencyKey === undefined ? {} : { idempotencyKey: call.idempotencyKey }),
          attempt: attempt + 1,
          waitMs,
        },
        'sora request retried',
      );
      await this.sleep(waitMs, options.signal);
    }
  }

  private async attempt<R>(
    call: HttpCall,
    options: RequestOptions,
    consume: (response: HttpResponse) => Promise<R>,
  ): Promise<{ ok: true; value: R } | { ok: false; error: SoraError; mayRetry: boolean }> {
    options.signal?.throwIfAborted();
    const timeoutMs = options.timeoutMs ?? this.settings.timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), timeoutMs);
    const onCallerAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const started = performance.now();
    let status: number | undefined;
    let requestId: string | null = null;
    let outcome: RequestOutcome = 'network';
    try {
      const response = await request(this.url(call), {
        method: call.method,
        headers: this.headers(call),
        body: call.form ? call.form() : call.json === undefined ? undefined : JSON.stringify(call.json),
        signal: controller.signal,
        // undici's own timers: headersTimeout bounds the wait for the status line, bodyTimeout an idle
        // body (a stalled download), so a long but flowing download is never cut.
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        dispatcher: this.settings.dispatcher ?? ownAgent(),
      });
      status = response.statusCode;
      const headers = response.headers;
      requestId = requestIdFrom(headers);
      if (status >= 200 && status < 300) {
        const wrapped: HttpResponse = { status, headers, requestId, body: response.body };
        const value = await consume(wrapped);
        outcome = '2xx';
        return { ok: true, value };
      }
      outcome = outcomeOfStatus(status);
      const bodyText = await response.body.text().catch(() => '');
      const error = errorFromResponse({
        status,
        headers,
        bodyText,
        secret: this.settings.flavour.apiKey,
        now: this.now,
      });
      // A 429 created nothing; any other failure of a POST may have started a render behind a gateway.
      return { ok: false, error, mayRetry: status === 429 || this.mayRepeat(call) };
    } catch (thrown) {
      if (thrown instanceof SoraError) {
        outcome = 'invalid_response';
        return { ok: false, error: thrown, mayRetry: false };
      }
      if (options.signal?.aborted) {
        outcome = 'aborted';
        throw options.signal.reason;
      }
      const timedOut = controller.signal.reason instanceof AttemptTimeout;
      if (timedOut) outcome = 'timeout';
      const { error, notSent } = errorFromNetwork(thrown, this.host, timeoutMs, timedOut);
      const mayRetry = notSent || this.mayRepeat(call);
      return { ok: false, error, mayRetry };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCallerAbort);
      const ms = performance.now() - started;
      this.settings.observe?.({ endpoint: endpointOf(call.method, call.path), outcome, seconds: ms / 1000 });
      this.settings.logger?.debug(
        {
          method: call.method,
          path: call.path,
          status: status ?? null,
          ms: Math.round(ms),
          requestId,
          ...(call.idempotencyKey === undefined ? {} : { idempotencyKey: call.idempotencyKey }),
        },
        'sora request',
      );
    }
  }

  /**
   * Whether a call that may have reached the provider can be sent again. A POST only with an
   * Idempotency-Key (the provider then answers the original job): without one a retry after a lost
   * answer could start, and bill, a second render. The paid POSTs always carry one (sora-client.ts).
   */
  private mayRepeat(call: HttpCall): boolean {
    return call.method !== 'POST' || call.idempotencyKey !== undefined;
  }

  private url(call: HttpCall): string {
    const url = `${this.settings.flavour.baseUrl}${call.path}`;
    if (!call.query) return url;
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(call.query))
      if (value !== undefined) query.set(key, String(value));
    const text = query.toString();
    return text ? `${url}?${text}` : url;
  }

  private headers(call: HttpCall): Record<string, string> {
    const headers: Record<string, string> = {
      accept: call.accept ?? 'application/json',
      ...this.settings.flavour.authHeaders(),
    };
    if (call.json !== undefined && !call.form) headers['content-type'] = 'application/json';
    if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;
    return headers;
  }
}
