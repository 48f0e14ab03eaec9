/**
 * Turns whatever went wrong on the wire into a SoraError with a stable code. Messages are built from
 * our fixed strings and the provider's own error text only, and the API key is scrubbed from the
 * latter too: a provider (or a proxy in between) may echo the credential it rejected.
 */
import type { z } from 'zod';
import { codeForStatus, SoraError } from '../errors.js';
import { ApiErrorBodySchema } from '../video.js';
import { headerValue, retryAfterFromHeaders, shouldRetryStatus } from './retry-policy.js';

type HeaderBag = Record<string, string | string[] | undefined>;

export function redactSecret(text: string, secret: string): string {
  if (!secret) return text;
  return text.split(secret).join('[redacted]');
}

/** `x-request-id` on OpenAI; Azure's gateway also sends `apim-request-id`. */
export function requestIdFrom(headers: HeaderBag): string | null {
  return headerValue(headers, 'x-request-id') ?? headerValue(headers, 'apim-request-id') ?? null;
}

export interface ResponseContext {
  status: number;
  headers: HeaderBag;
  bodyText: string;
  secret: string;
  now?: () => number;
}

export function errorFromResponse(ctx: ResponseContext): SoraError {
  let parsedBody: unknown;
  try {
    parsedBody = JSON.parse(ctx.bodyText);
  } catch {
    parsedBody = undefined;
  }
  const envelope = ApiErrorBodySchema.safeParse(parsedBody);
  const providerError = envelope.success ? envelope.data.error : undefined;
  const message = providerError?.message
    ? redactSecret(providerError.message, ctx.secret)
    : `the provider answered HTTP ${ctx.status} without an error description`;
  return new SoraError({
    code: codeForStatus(ctx.status, providerError?.code),
    message,
    status: ctx.status,
    providerCode: providerError?.code ?? null,
    param: providerError?.param ?? null,
    requestId: requestIdFrom(ctx.headers),
    retryable: shouldRetryStatus(ctx.status, ctx.headers),
    retryAfterMs: retryAfterFromHeaders(ctx.headers, ctx.now),
  });
}

/** A 2xx whose body is not what the API specification promises: the provider changed, or a proxy interfered. */
export function unexpectedShape(
  what: string,
  problem: z.ZodError | string,
  headers: HeaderBag,
  status: number,
  secret: string,
): SoraError {
  const detail =
    typeof problem === 'string'
      ? problem
      : problem.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
          .join('; ');
  // Not `server`: callers retry those, and a create or remix that reached this point may have started a
  // render (the provider said 2xx), so repeating it could pay twice.
  return new SoraError({
    code: 'invalid_response',
    message: redactSecret(`the provider answered an unexpected shape for ${what} (${detail})`, secret),
    status,
    requestId: requestIdFrom(headers),
    retryable: false,
  });
}

/** Network failures that happen before a single byte of the request left: safe to retry even a POST. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node's happy-eyeballs connect wraps one error per address in an AggregateError.
  if (error instanceof AggregateError) return errorCode(error.errors[0]);
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? undefined : errorCode(cause);
}

export interface NetworkFailure {
  error: SoraError;
  /** True when the request certainly never reached the provider. */
  notSent: boolean;
}

export function errorFromNetwork(
  error: unknown,
  host: string,
  timeoutMs: number,
  timedOut: boolean,
): NetworkFailure {
  const code = errorCode(error);
  if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return {
      error: new SoraError({
        code: 'timeout',
        message: `the provider at ${host} did not answer within ${timeoutMs} ms`,
        retryable: true,
        cause: error,
      }),
      notSent: code === 'UND_ERR_CONNECT_TIMEOUT',
    };
  }
  const reason = code ?? (error instanceof Error ? error.name : 'unknown error');
  return {
    error: new SoraError({
      code: 'network',
      message: `could not reach the provider at ${host} (${reason})`,
      retryable: true,
      cause: error,
    }),
    notSent: code !== undefined && NOT_SENT_CODES.has(code),
  };
}

/** A content stream that failed after its headers arrived (the connection dropped, or went idle too long). */
export function errorFromBrokenDownload(error: unknown, what: string, timeoutMs: number): SoraError {
  const code = errorCode(error);
  if (code === 'UND_ERR_BODY_TIMEOUT')
    return new SoraError({
      code: 'timeout',
      message: `the download of ${what} stalled for more than ${timeoutMs} ms`,
      retryable: true,
      cause: error,
    });
  return new SoraError({
    code: 'network',
    message: `the download of ${what} broke off (${code ?? (error instanceof Error ? error.name : 'unknown error')})`,
    retryable: true,
    cause: error,
  });
}
