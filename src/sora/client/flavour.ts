/**
 * The two dialects of the same Videos API (docs/sora-api.md, "Azure OpenAI differences"):
 * - OpenAI: base `OPENAI_BASE_URL` (default https://api.openai.com/v1), `Authorization: Bearer KEY`;
 * - Azure OpenAI: base `${AZURE_OPENAI_ENDPOINT}/openai/v1`, `api-key: KEY`, and `model` is the
 *   *deployment name*, so whatever model family the caller asked for is replaced by the deployment.
 * The emulator speaks the OpenAI dialect with a fixed local key.
 */
import type { ProviderKind } from '../capabilities.js';

/** The key the embedded emulator is started with and the client sends to it (not a secret). */
export const EMULATOR_API_KEY = 'sk-emulator-local';

export type FlavourSettings =
  | { kind: 'openai'; baseUrl: string; apiKey: string }
  | { kind: 'emulator'; baseUrl: string; apiKey?: string }
  | {
      kind: 'azure';
      /** `https://NAME.openai.azure.com` (the client appends `/openai/v1`). */
      endpoint: string;
      apiKey: string;
      /** Sent as `model` on create: Azure routes by deployment name. */
      deployment: string;
    };

export interface Flavour {
  readonly kind: ProviderKind;
  /** Without a trailing slash; paths such as `/videos` are appended. */
  readonly baseUrl: string;
  /** The secret, kept here so the transport can scrub it from anything the provider echoes. */
  readonly apiKey: string;
  authHeaders(): Record<string, string>;
  /** The `model` to send on create, given what the caller asked for. */
  modelFor(requested: string | undefined): string | undefined;
}

const trimSlashes = (url: string) => url.replace(/\/+$/, '');

export function resolveFlavour(settings: FlavourSettings): Flavour {
  switch (settings.kind) {
    case 'openai':
    case 'emulator': {
      const apiKey = settings.apiKey ?? EMULATOR_API_KEY;
      return {
        kind: settings.kind,
        baseUrl: trimSlashes(settings.baseUrl),
        apiKey,
        authHeaders: () => ({ authorization: `Bearer ${apiKey}` }),
        modelFor: (requested) => requested,
      };
    }
    case 'azure': {
      const { apiKey, deployment } = settings;
      // Tolerate an endpoint already ending in /openai/v1 (people paste it from the portal's sample code).
      const endpoint = trimSlashes(settings.endpoint).replace(/\/openai\/v1$/, '');
      return {
        kind: 'azure',
        baseUrl: `${endpoint}/openai/v1`,
        apiKey,
        authHeaders: () => ({ 'api-key': apiKey }),
        modelFor: () => deployment,
      };
    }
  }
}
