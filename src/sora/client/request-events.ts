/**
 * How one attempt at the provider is described to an observer (the bot's metrics): which endpoint,
 * how it ended, how long it took. Names are a fixed, small set so they can be metric labels: the
 * endpoint is named from the method and the path relative to the API base, which is the same for
 * OpenAI, Azure and the emulator; a video id never becomes a label.
 */

export const PROVIDER_ENDPOINTS = [
  'create',
  'remix',
  'retrieve',
  'list',
  'delete',
  'content',
  'other',
] as const;
export type ProviderEndpoint = (typeof PROVIDER_ENDPOINTS)[number];

/**
 * `429` is its own outcome (the provider's back-pressure, which pauses the queue); other statuses are
 * counted by class. `invalid_response` is a 2xx whose body could not be read as the schema says.
 */
export const REQUEST_OUTCOMES = [
  '2xx',
  '429',
  '4xx',
  '5xx',
  'timeout',
  'network',
  'invalid_response',
  'aborted',
] as const;
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];

export interface ProviderRequestEvent {
  endpoint: ProviderEndpoint;
  outcome: RequestOutcome;
  /** From sending the request to the status line (and the JSON body, for JSON answers). */
  seconds: number;
}

/** Told of every attempt, retries included (a retried 429 counts once per 429). Must not throw. */
export type RequestObserver = (event: ProviderRequestEvent) => void;

/** `POST /videos` is create, `GET /videos/ID/content` is content, and so on. */
export function endpointOf(method: string, path: string): ProviderEndpoint {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  if (parts[0] !== 'videos') return 'other';
  if (parts.length === 1) return method === 'POST' ? 'create' : method === 'GET' ? 'list' : 'other';
  if (parts.length === 2) return method === 'GET' ? 'retrieve' : method === 'DELETE' ? 'delete' : 'other';
  if (parts.length === 3 && parts[2] === 'remix' && method === 'POST') return 'remix';
  if (parts.length === 3 && parts[2] === 'content' && method === 'GET') return 'content';
  return 'other';
}

export function outcomeOfStatus(status: number): RequestOutcome {
  if (status === 429) return '429';
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 500) return '5xx';
  return '4xx';
}
