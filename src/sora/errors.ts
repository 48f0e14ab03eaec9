/**
 * One error class for everything the provider can answer, with a stable `code` callers switch on
 * (never on message text). The API key is never part of a message: messages are built from the
 * provider's own error text and our fixed strings only. docs/sora-api.md lists the codes.
 */
export const SORA_ERROR_CODES = [
  /** 4xx other than the ones below (a bad size, a reused idempotency key...): fix the request. */
  'invalid_request',
  /** 401: the key was refused. */
  'auth',
  /** 403: the key has no access. */
  'permission',
  /** 404: no such video (or its content expired). */
  'not_found',
  /** 429: back-pressure; `retryAfterMs` says how long to wait. */
  'rate_limited',
  /** The provider's moderation refused the request. */
  'moderation_blocked',
  /** 5xx: the provider failed; a retry may succeed. */
  'server',
  /** No answer in time. */
  'timeout',
  /** The connection failed or broke off. */
  'network',
  /**
   * A 2xx whose body is not JSON or not the documented shape (a changed API, a proxy's login page).
   * Not retryable: on a create or remix the render may have started, so repeating it could pay twice.
   */
  'invalid_response',
] as const;
export type SoraErrorCode = (typeof SORA_ERROR_CODES)[number];

export interface SoraErrorDetails {
  code: SoraErrorCode;
  message: string;
  /** HTTP status, when the provider answered at all. */
  status?: number;
  /** The provider's own `error.code` (e.g. `moderation_blocked`, `invalid_value`). */
  providerCode?: string | null;
  /** The provider's `error.param`, when it names the offending field. */
  param?: string | null;
  /** The `x-request-id` response header: quote it when asking the provider for help. */
  requestId?: string | null;
  retryable?: boolean;
  /** How long the provider asked us to wait before trying again (429 / 503). */
  retryAfterMs?: number | null;
  cause?: unknown;
}

export class SoraError extends Error {
  override readonly name = 'SoraError';
  readonly code: SoraErrorCode;
  readonly status: number | undefined;
  readonly providerCode: string | null;
  readonly param: string | null;
  readonly requestId: string | null;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;

  constructor(details: SoraErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.status = details.status;
    this.providerCode = details.providerCode ?? null;
    this.param = details.param ?? null;
    this.requestId = details.requestId ?? null;
    this.retryable = details.retryable ?? isRetryableCode(details.code);
    this.retryAfterMs = details.retryAfterMs ?? null;
  }

  /** One line for a person: the message, plus the request id to quote to support. */
  toOneLine(): string {
    const status = this.status === undefined ? '' : ` (HTTP ${this.status})`;
    const request = this.requestId ? ` [request id ${this.requestId}]` : '';
    return `${this.code}${status}: ${this.message}${request}`;
  }
}

function isRetryableCode(code: SoraErrorCode): boolean {
  return code === 'rate_limited' || code === 'server' || code === 'timeout' || code === 'network';
}

/** Maps an HTTP status (and the provider's code) to our stable code. */
export function codeForStatus(status: number, providerCode?: string | null): SoraErrorCode {
  if (providerCode === 'moderation_blocked') return 'moderation_blocked';
  if (status === 401) return 'auth';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'invalid_request';
}

/** The statuses the official SDK retries: 408, 409, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export function isSoraError(value: unknown): value is SoraError {
  return value instanceof SoraError;
}
