export { EMULATOR_API_KEY, type Flavour, type FlavourSettings, resolveFlavour } from './flavour.js';
export { createFormData } from './multipart.js';
export {
  endpointOf,
  PROVIDER_ENDPOINTS,
  type ProviderEndpoint,
  type ProviderRequestEvent,
  REQUEST_OUTCOMES,
  type RequestObserver,
  type RequestOutcome,
} from './request-events.js';
export { errorFromNetwork, errorFromResponse, redactSecret, requestIdFrom } from './response-errors.js';
export {
  backoffDelayMs,
  DEFAULT_BACKOFF,
  retryAfterFromHeaders,
  serverSaysRetry,
  shouldRetryStatus,
} from './retry-policy.js';
export { SoraClient, type SoraClientOptions } from './sora-client.js';
export { type ClientLogger, HttpTransport, type Sleep } from './transport.js';
export { type WaitOptions, waitForVideo } from './wait-for-video.js';
