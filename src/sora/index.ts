/**
 * The Sora side of the bot in one import: `createProvider(config)` picks the flavour from
 * SORA_PROVIDER. The emulator needs a running server: the bot and the CLI start one with
 * startEmulator and pass its URL here as `emulatorUrl`.
 */
import type { Dispatcher } from 'undici';
import type { Config } from '../config.js';
import { CAPABILITIES, type ProviderCapabilities } from './capabilities.js';
import { EMULATOR_API_KEY } from './client/flavour.js';
import type { RequestObserver } from './client/request-events.js';
import { SoraClient } from './client/sora-client.js';
import type { ClientLogger, Sleep } from './client/transport.js';
import { SoraError } from './errors.js';

export * from './capabilities.js';
export type { ClientLogger, WaitOptions } from './client/index.js';
export { EMULATOR_API_KEY, SoraClient, type SoraClientOptions, waitForVideo } from './client/index.js';
export * from './errors.js';
export type * from './provider.js';
export * from './video.js';

export interface CreateProviderOptions {
  /** Base URL of a running emulator (its `url`; the client appends `/v1`). Required for 'emulator'. */
  emulatorUrl?: string;
  /** The key that emulator was started with; EMULATOR_API_KEY by default. */
  emulatorApiKey?: string;
  logger?: ClientLogger;
  sleep?: Sleep;
  random?: () => number;
  dispatcher?: Dispatcher;
  /** Told of every request attempt (the bot's metrics). */
  observe?: RequestObserver;
}

type ProviderConfig = Pick<
  Config,
  | 'SORA_PROVIDER'
  | 'OPENAI_API_KEY'
  | 'OPENAI_BASE_URL'
  | 'AZURE_OPENAI_ENDPOINT'
  | 'AZURE_OPENAI_API_KEY'
  | 'AZURE_OPENAI_DEPLOYMENT'
  | 'SORA_REQUEST_TIMEOUT_MS'
  | 'SORA_MAX_RETRIES'
>;

export function createProvider(config: ProviderConfig, opts: CreateProviderOptions = {}): SoraClient {
  const common = {
    timeoutMs: config.SORA_REQUEST_TIMEOUT_MS,
    maxRetries: config.SORA_MAX_RETRIES,
    logger: opts.logger,
    sleep: opts.sleep,
    random: opts.random,
    dispatcher: opts.dispatcher,
    observe: opts.observe,
  };
  switch (config.SORA_PROVIDER) {
    case 'openai':
      return new SoraClient({
        ...common,
        kind: 'openai',
        baseUrl: config.OPENAI_BASE_URL,
        apiKey: required(config.OPENAI_API_KEY, 'OPENAI_API_KEY'),
      });
    case 'azure':
      return new SoraClient({
        ...common,
        kind: 'azure',
        endpoint: required(config.AZURE_OPENAI_ENDPOINT, 'AZURE_OPENAI_ENDPOINT'),
        apiKey: required(config.AZURE_OPENAI_API_KEY, 'AZURE_OPENAI_API_KEY'),
        deployment: config.AZURE_OPENAI_DEPLOYMENT,
      });
    case 'emulator':
      if (!opts.emulatorUrl)
        throw new SoraError({
          code: 'invalid_request',
          message:
            'SORA_PROVIDER=emulator needs a running emulator: start one and pass its URL as emulatorUrl',
          retryable: false,
        });
      return new SoraClient({
        ...common,
        kind: 'emulator',
        baseUrl: `${opts.emulatorUrl.replace(/\/+$/, '')}/v1`,
        apiKey: opts.emulatorApiKey ?? EMULATOR_API_KEY,
      });
  }
}

/** What the configured provider accepts (models, sizes, seconds, webhooks). */
export function capabilities(config: Pick<Config, 'SORA_PROVIDER'>): ProviderCapabilities {
  return CAPABILITIES[config.SORA_PROVIDER];
}

function required(value: string | undefined, variable: string): string {
  // parseConfig already guarantees these; this guards hand-built configs.
  if (value) return value;
  throw new SoraError({ code: 'auth', message: `${variable} is not set`, retryable: false });
}
