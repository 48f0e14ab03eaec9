/**
 * A new video's options checked against what the configured provider and model can do, before
 * anything is spent: the text grammar (command-parser.ts) and forms (the Slack modal, with its fields)
 * both end here, and each problem names the field at fault.
 */
import {
  type ModelCapabilities,
  modelFamily,
  type ProviderCapabilities,
  type SoraModel,
} from '../sora/capabilities.js';
import {
  type AttachmentMeta,
  type GenerateIntent,
  IMAGE_FITS,
  type ImageFit,
  type ParseResult,
  type UsageProblem,
} from './intents.js';
import { describeSizes, emptyPrompt, joinOr, shown, tooLong, usageProblem } from './usage-problems.js';

export interface ParseContext {
  capabilities: ProviderCapabilities;
  /** SORA_MODEL; its family decides the defaults. */
  defaultModel: string;
  attachment?: AttachmentMeta | null;
}

const PROVIDER_NAMES = { azure: 'Azure OpenAI', openai: 'OpenAI', emulator: 'the emulator' } as const;

export interface RawGenerate {
  prompt: string;
  seconds: string | undefined;
  size: string | undefined;
  orientation: 'landscape' | 'portrait' | undefined;
  model: string | undefined;
  fit?: string | undefined;
}

export function resolveGenerate(raw: RawGenerate, ctx: ParseContext): ParseResult<GenerateIntent> {
  const caps = ctx.capabilities;
  const providerName = PROVIDER_NAMES[caps.provider];
  const available = Object.keys(caps.models) as SoraModel[];
  const requestedModel = raw.model ?? ctx.defaultModel;
  const family = modelFamily(requestedModel);
  const modelCaps: ModelCapabilities | undefined = family ? caps.models[family] : undefined;
  if (!family || !modelCaps)
    return usageProblem(
      'unsupported',
      'model',
      `\`${shown(requestedModel)}\` isn't available on ${providerName}. Use ${available.map((m) => `\`${m}\``).join(' or ')}.`,
    );
  if (raw.size && raw.orientation)
    return usageProblem(
      'conflicting_options',
      'size',
      'Use either `--size` or `--landscape`/`--portrait`, not both.',
    );
  const autoSize = !raw.size && !raw.orientation;
  const size =
    raw.size ??
    (raw.orientation === 'landscape'
      ? '1280x720'
      : raw.orientation === 'portrait'
        ? '720x1280'
        : modelCaps.defaultSize);
  if (!modelCaps.sizes.includes(size))
    return usageProblem(
      'unsupported',
      'size',
      `${family} on ${providerName} renders ${describeSizes(modelCaps.sizes)}; \`${shown(size)}\` isn't one of them. Try \`--landscape\` or \`--portrait\`.`,
    );
  const seconds = raw.seconds ?? modelCaps.defaultSeconds;
  if (!modelCaps.seconds.includes(seconds))
    return usageProblem(
      'unsupported',
      'seconds',
      `Videos can be ${joinOr(modelCaps.seconds)} seconds long; try \`--seconds ${modelCaps.seconds[1] ?? modelCaps.seconds[0]}\`.`,
    );
  const fit = raw.fit ?? 'cover';
  if (!isImageFit(fit))
    return usageProblem(
      'invalid_value',
      'fit',
      `\`--fit ${shown(fit)}\` isn't a way to fit an image: use \`--fit cover\` (fill the frame, crop the edges) or \`--fit contain\` (the whole image, with bars).`,
    );
  const prompt = raw.prompt.trim();
  if (!prompt) return emptyPrompt();
  if (prompt.length > modelCaps.maxPromptChars)
    return usageProblem('prompt_too_long', 'prompt', tooLong(prompt.length, modelCaps.maxPromptChars));
  const attachmentProblem = checkAttachment(ctx.attachment ?? null, modelCaps);
  if (attachmentProblem) return { ok: false, problem: attachmentProblem };
  return {
    ok: true,
    intent: { kind: 'generate', prompt, seconds, size, model: family, autoSize, fit },
  };
}

function isImageFit(value: string): value is ImageFit {
  return (IMAGE_FITS as readonly string[]).includes(value);
}

export function checkAttachment(
  meta: AttachmentMeta | null,
  caps: ModelCapabilities,
): UsageProblem | undefined {
  if (!meta) return undefined;
  const name = meta.filename;
  const invalid = (message: string): UsageProblem => ({ code: 'invalid_image', field: 'image', message });
  if (meta.contentType && !caps.imageTypes.includes(meta.contentType.toLowerCase().split(';')[0]!.trim()))
    return invalid(
      `\`${shown(name)}\` isn't a JPEG, PNG or WebP image. Attach a picture to animate it, or send the prompt alone.`,
    );
  if (!meta.contentType && !/\.(jpe?g|png|webp)$/i.test(name))
    return invalid(
      `\`${shown(name)}\` doesn't look like a JPEG, PNG or WebP image. Attach a picture to animate it.`,
    );
  if (meta.bytes !== null && meta.bytes > caps.maxImageBytes)
    return invalid(
      `\`${shown(name)}\` is ${(meta.bytes / 1024 / 1024).toFixed(1)} MB; images can be at most ${caps.maxImageBytes / 1024 / 1024} MB.`,
    );
  return undefined;
}
