/**
 * Checks `video create` options against what the provider accepts before anything is sent (and
 * billed): model, size, duration, prompt length, and the reference image's type and pixel size.
 * Each problem is one line for a person.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Config } from '../config.js';
import { sniffImage } from '../media/image-info.js';
import {
  type CapabilityProblem,
  checkAgainstCapabilities,
  modelFamily,
  type ProviderCapabilities,
} from '../sora/capabilities.js';
import type { CreateVideoRequest, ReferenceImage } from '../sora/provider.js';
import { parseSize } from '../sora/video.js';
import { type Parsed, usageProblem } from './io.js';

export interface CreateOptionsInput {
  prompt?: string | undefined;
  model?: string | undefined;
  seconds?: string | undefined;
  size?: string | undefined;
  image?: string | undefined;
}

export async function buildCreateRequest(
  input: CreateOptionsInput,
  config: Pick<Config, 'SORA_MODEL' | 'SORA_PROVIDER' | 'AZURE_OPENAI_DEPLOYMENT'>,
  caps: ProviderCapabilities,
): Promise<Parsed<CreateVideoRequest>> {
  const prompt = input.prompt?.trim();
  if (!prompt) return usageProblem('--prompt is required: describe the video to make');
  const requested = input.model ?? config.SORA_MODEL;
  // On Azure the deployment decides the model and its name is free-form: a name that says sora-2-pro is
  // refused below (Azure has none), any other name is a sora-2 deployment.
  const family =
    config.SORA_PROVIDER === 'azure' && input.model === undefined
      ? (modelFamily(config.AZURE_OPENAI_DEPLOYMENT) ?? 'sora-2')
      : modelFamily(requested);
  if (!family)
    return usageProblem(`unknown model "${requested}": use one of ${Object.keys(caps.models).join(', ')}`);
  const model = caps.models[family];
  const size = input.size ?? model?.defaultSize ?? '720x1280';
  const seconds = input.seconds ?? model?.defaultSeconds ?? '4';

  let image: ReferenceImage | undefined;
  if (input.image !== undefined) {
    const read = await readReferenceImage(input.image, size, model?.maxImageBytes ?? 20 * 1024 * 1024);
    if (!read.ok) return read;
    image = read.value;
  }
  const problem = checkAgainstCapabilities(caps, {
    model: family,
    size,
    seconds,
    promptChars: prompt.length,
    image: image ? { contentType: image.contentType, bytes: image.data.byteLength } : undefined,
  });
  if (problem)
    return usageProblem(describeProblem(problem, { provider: caps.provider, family, size, seconds, prompt }));
  return { ok: true, value: { prompt, model: family, size, seconds, ...(image ? { image } : {}) } };
}

function describeProblem(
  problem: CapabilityProblem,
  req: { provider: string; family: string; size: string; seconds: string; prompt: string },
): string {
  switch (problem.kind) {
    case 'model':
      return `${req.provider} does not serve ${req.family}: use ${problem.allowed.join(' or ')}`;
    case 'size':
      return `--size ${req.size} is not available for ${req.family}: use one of ${problem.allowed.join(', ')}`;
    case 'seconds':
      return `--seconds ${req.seconds} is not available for ${req.family}: use one of ${problem.allowed.join(', ')}`;
    case 'prompt_length':
      return `the prompt has ${req.prompt.length} characters; the limit is ${problem.max}`;
    case 'image_type':
      return `--image must be one of ${problem.allowed.join(', ')}`;
    case 'image_size':
      return `--image is larger than ${Math.round(problem.maxBytes / 1024 / 1024)} MB`;
  }
}

async function readReferenceImage(
  path: string,
  size: string,
  maxBytes: number,
): Promise<Parsed<ReferenceImage>> {
  let data: Buffer;
  try {
    const file = await open(path, 'r');
    try {
      const { size: bytes, isFile } = await file.stat().then((s) => ({ size: s.size, isFile: s.isFile() }));
      if (!isFile) return usageProblem(`--image ${path} is not a file`);
      // Checked before reading so a huge file is never loaded.
      if (bytes > maxBytes)
        return usageProblem(`--image ${path} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
      data = await file.readFile();
    } finally {
      await file.close();
    }
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    return usageProblem(`--image ${path} cannot be read (${code})`);
  }
  const info = sniffImage(data);
  if (!info) return usageProblem(`--image ${path} is not a JPEG, PNG or WebP image`);
  const wanted = parseSize(size);
  if (info.width !== wanted.width || info.height !== wanted.height)
    return usageProblem(
      `--image ${path} is ${info.width}x${info.height} but the video is ${size}: the image must match the video size`,
    );
  return { ok: true, value: { data, contentType: info.type, filename: basename(path) } };
}
