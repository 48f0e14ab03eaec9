/**
 * The provider's error envelope `{"error": {message, type, param, code}}` and the replies built from it.
 * Messages follow OpenAI's wording where it is known (docs/sora-api.md) and never contain a key.
 */
import type { ApiErrorBody } from '../video.js';

export interface ApiFailure {
  status: number;
  body: ApiErrorBody;
  headers?: Record<string, string>;
}

export function apiFailure(
  status: number,
  message: string,
  details: {
    type?: string;
    param?: string | null;
    code?: string | null;
    headers?: Record<string, string>;
  } = {},
): ApiFailure {
  return {
    status,
    body: {
      error: {
        message,
        type: details.type ?? 'invalid_request_error',
        param: details.param ?? null,
        code: details.code ?? null,
      },
    },
    ...(details.headers ? { headers: details.headers } : {}),
  };
}

export function invalidRequest(message: string, param: string | null, code: string | null = 'invalid_value') {
  return apiFailure(400, message, { param, code });
}

export function videoNotFound(id: string): ApiFailure {
  return apiFailure(404, `Video with id '${id}' not found.`, { param: 'video_id', code: 'video_not_found' });
}

export function serverError(
  message = 'The server had an error while processing your request. Sorry about that!',
) {
  return apiFailure(500, message, { type: 'server_error' });
}

export type Result<T> = { ok: true; value: T } | { ok: false; failure: ApiFailure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(failure: ApiFailure): Result<T> => ({ ok: false, failure });
