/**
 * What each provider and model accepts, so that callers reject a request the service would reject
 * before anything is spent. Facts from docs/sora-api.md:
 * - sora-2 renders only 1280x720 and 720x1280;
 * - sora-2-pro also renders 1024x1792 / 1792x1024 and (newer guides) 1080x1920 / 1920x1080;
 * - Azure serves sora-2 only (no sora-2-pro), at 720x1280 and 1280x720 only.
 * The emulator enforces these same tables, so tests see the service's rules.
 */
export const PROVIDER_KINDS = ['azure', 'openai', 'emulator'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export const MODELS = ['sora-2', 'sora-2-pro'] as const;
export type SoraModel = (typeof MODELS)[number];

export interface ModelCapabilities {
  /** The model family this entry describes (a deployment name on Azure maps to `sora-2`). */
  model: SoraModel;
  sizes: readonly string[];
  seconds: readonly string[];
  defaultSize: string;
  defaultSeconds: string;
  /** Image-to-video: which image types the service accepts (the image must be exactly `size`). */
  imageTypes: readonly string[];
  /** Upper bound on the reference image we accept (the service documents none; 20 MB is a safe cap). */
  maxImageBytes: number;
  maxPromptChars: number;
  remix: boolean;
}

export interface ProviderCapabilities {
  provider: ProviderKind;
  models: Readonly<Partial<Record<SoraModel, ModelCapabilities>>>;
  /** Whether the provider can call us back (OpenAI's `video.completed` / `video.failed`). */
  webhooks: boolean;
}

const SECONDS = ['4', '8', '12'] as const;
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
const BASE = {
  seconds: SECONDS,
  defaultSeconds: '4',
  defaultSize: '720x1280',
  imageTypes: IMAGE_TYPES,
  maxImageBytes: 20 * 1024 * 1024,
  maxPromptChars: 32_000,
  remix: true,
} as const;

export const SORA_2: ModelCapabilities = { ...BASE, model: 'sora-2', sizes: ['720x1280', '1280x720'] };
export const SORA_2_PRO: ModelCapabilities = {
  ...BASE,
  model: 'sora-2-pro',
  sizes: ['720x1280', '1280x720', '1024x1792', '1792x1024', '1080x1920', '1920x1080'],
};

export const CAPABILITIES = {
  openai: { provider: 'openai', models: { 'sora-2': SORA_2, 'sora-2-pro': SORA_2_PRO }, webhooks: true },
  emulator: { provider: 'emulator', models: { 'sora-2': SORA_2, 'sora-2-pro': SORA_2_PRO }, webhooks: true },
  azure: { provider: 'azure', models: { 'sora-2': SORA_2 }, webhooks: false },
} as const satisfies Record<ProviderKind, ProviderCapabilities>;

export function capabilitiesFor(provider: ProviderKind): ProviderCapabilities {
  return CAPABILITIES[provider];
}

/** Maps a model name (or an Azure deployment name / dated snapshot) to its family. */
export function modelFamily(model: string): SoraModel | undefined {
  if (model === 'sora-2-pro' || model.startsWith('sora-2-pro-')) return 'sora-2-pro';
  if (model === 'sora-2' || model.startsWith('sora-2-')) return 'sora-2';
  return undefined;
}

export type CapabilityProblem =
  | { kind: 'model'; allowed: readonly string[] }
  | { kind: 'size'; allowed: readonly string[] }
  | { kind: 'seconds'; allowed: readonly string[] }
  | { kind: 'prompt_length'; max: number }
  | { kind: 'image_type'; allowed: readonly string[] }
  | { kind: 'image_size'; maxBytes: number };

export interface RenderRequestShape {
  model: SoraModel;
  size: string;
  seconds: string;
  promptChars: number;
  image?: { contentType: string; bytes: number } | undefined;
}

/** Returns the first thing the provider would reject, or undefined when the request is acceptable. */
export function checkAgainstCapabilities(
  caps: ProviderCapabilities,
  req: RenderRequestShape,
): CapabilityProblem | undefined {
  const model = caps.models[req.model];
  if (!model) return { kind: 'model', allowed: Object.keys(caps.models) };
  if (!model.sizes.includes(req.size)) return { kind: 'size', allowed: model.sizes };
  if (!model.seconds.includes(req.seconds)) return { kind: 'seconds', allowed: model.seconds };
  if (req.promptChars < 1 || req.promptChars > model.maxPromptChars)
    return { kind: 'prompt_length', max: model.maxPromptChars };
  if (req.image) {
    if (!model.imageTypes.includes(req.image.contentType))
      return { kind: 'image_type', allowed: model.imageTypes };
    if (req.image.bytes > model.maxImageBytes) return { kind: 'image_size', maxBytes: model.maxImageBytes };
  }
  return undefined;
}
