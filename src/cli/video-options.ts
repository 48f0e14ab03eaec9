/**
 * Checks `video create` options against what the provider accepts before anything is sent (and
 * billed): model, size, duration, prompt length, and the reference image's type and pixel size.
 * Each problem is one line for a person.
 *
 * As in chat, a reference image without `--size` decides the frame (a wide picture makes a landscape
 * video), and an image of another pixel size than the video's is fitted to it with ffmpeg (`--fit
 * cover`, the default, crops; `--fit contain` keeps it whole with bars), because the provider takes
 * only an image of exactly the video's size.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Config } from '../config.js';
import { sizeForImage } from '../core/reference-image.js';
import { fitImage } from '../media/fit-image.js';
import { type ImageInfo, imageTooLarge, sniffImage } from '../media/image-info.js';
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
  fit?: string | undefined;
}

export async function buildCreateRequest(
  input: CreateOptionsInput,
  config: Pick<Config, 'SORA_MODEL' | 'SORA_PROVIDER' | 'AZURE_OPENAI_DEPLOYMENT'> &
    Partial<Pick<Config, 'FFMPEG_PATH'>>,
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
  const fit = input.fit ?? 'cover';
  if (fit !== 'cover' && fit !== 'contain')
    return usageProblem(`--fit must be cover (fill the frame, crop the edges) or contain (whole, with bars)`);
  const read =
    input.image === undefined
      ? undefined
      : await readReferenceImage(input.image, model?.maxImageBytes ?? 20 * 1024 * 1024);
  if (read && !read.ok) return read;
  const picture = read?.value;
  const size =
    input.size ??
    (picture && model ? sizeForImage(picture.info, model) : undefined) ??
    model?.defaultSize ??
    '720x1280';
  const seconds = input.seconds ?? model?.defaultSeconds ?? '4';

  let image: ReferenceImage | undefined;
  if (picture) {
    const fitted = await fitToSize(picture, size, fit, config.FFMPEG_PATH);
    if (!fitted.ok) return fitted;
    image = fitted.value;
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

interface ReadImage {
  path: string;
  data: Buffer;
  info: ImageInfo;
}

async function readReferenceImage(path: string, maxBytes: number): Promise<Parsed<ReadImage>> {
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
  return { ok: true, value: { path, data, info } };
}

/** The image as it is when it already has the video's pixel size, else fitted to it (a PNG). */
async function fitToSize(
  image: ReadImage,
  size: string,
  fit: 'cover' | 'contain',
  ffmpegPath: string | undefined,
): Promise<Parsed<ReferenceImage>> {
  const { path, data, info } = image;
  const filename = basename(path);
  const wanted = parseSize(size);
  if (info.width === wanted.width && info.height === wanted.height)
    return { ok: true, value: { data, contentType: info.type, filename } };
  // Before any decoder: a small file can declare a canvas that decodes to gigabytes.
  const tooLarge = imageTooLarge(info);
  if (tooLarge) return usageProblem(`--image ${path} ${tooLarge}`);
  try {
    const fitted = await fitImage({ bytes: data }, wanted.width, wanted.height, {
      fit,
      ffmpegPath,
      inputType: info.type,
    });
    return {
      ok: true,
      value: {
        data: Buffer.from(fitted),
        contentType: 'image/png',
        filename: `${filename.replace(/\.[^.]*$/, '')}.png`,
      },
    };
  } catch (error) {
    return usageProblem(
      `--image ${path} (${info.width}x${info.height}) could not be fitted to ${size}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
