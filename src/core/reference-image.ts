/**
 * Turns a person's attachment into a reference image the provider will accept: downloaded at once
 * (platform links expire), checked from its bytes (not its declared type or name), then fitted to
 * exactly the video's size (`cover`: scaled and centre-cropped; `contain`: whole, with bars), because
 * the provider rejects any other pixel size.
 *
 * When the person named no size, the picture decides the frame: a wide one makes a landscape video and
 * a tall one a portrait video, at the resolution of the model's default (its landscape twin is priced
 * the same); a square one keeps the default. Its pixel size is known only here, after the download, so
 * the size is decided here, before the job is saved and its cost reserved.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fitImage, type ImageFitMode } from '../media/fit-image.js';
import { imageTooLarge, sniffImage } from '../media/image-info.js';
import type { ModelCapabilities } from '../sora/capabilities.js';
import { parseSize } from '../sora/video.js';
import { type Attachment, AttachmentError } from './intents.js';

export type ReferenceImageResult =
  | {
      ok: true;
      path: string;
      /** The video's size: the one asked for, or the one the picture's shape chose. */
      size: string;
      sizeFrom: 'request' | 'image';
    }
  | { ok: false; message: string };

/**
 * The frame for a picture of `width` x `height` when no size was asked for: the picture's orientation
 * at the default's resolution (1280x720 for a wide picture when the default is 720x1280). Undefined
 * for a square picture, or a model that renders no such twin: the default stays, and the picture did
 * not choose it.
 */
export function sizeForImage(
  image: { width: number; height: number },
  caps: Pick<ModelCapabilities, 'defaultSize' | 'sizes'>,
): string | undefined {
  if (image.width === image.height) return undefined;
  const { width, height } = parseSize(caps.defaultSize);
  if (image.width > image.height === width > height) return caps.defaultSize;
  const twin = `${height}x${width}`;
  return caps.sizes.includes(twin) ? twin : undefined;
}

export async function prepareReferenceImage(
  attachment: Attachment,
  options: {
    /** The size asked for; `auto`: none was, the picture's shape decides. */
    size: string;
    auto?: boolean | undefined;
    fit?: ImageFitMode | undefined;
    caps: ModelCapabilities;
    dir: string;
    name: string;
    ffmpegPath?: string | undefined;
  },
): Promise<ReferenceImageResult> {
  const label = `\`${attachment.filename}\``;
  let bytes: Uint8Array;
  try {
    bytes = await attachment.fetch();
  } catch (error) {
    if (error instanceof AttachmentError)
      return { ok: false, message: `I couldn't use ${label}: it ${error.reason}.` };
    return { ok: false, message: `I couldn't download ${label}. Attach it again and resend the command.` };
  }
  if (bytes.byteLength > options.caps.maxImageBytes)
    return {
      ok: false,
      message: `${label} is ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB; images can be at most ${options.caps.maxImageBytes / 1024 / 1024} MB.`,
    };
  const info = sniffImage(bytes);
  if (!info || !options.caps.imageTypes.includes(info.type))
    return {
      ok: false,
      message: `${label} isn't a JPEG, PNG or WebP image. Attach a picture to animate it.`,
    };
  // Before any decoder: a small file can declare a canvas that decodes to gigabytes.
  const tooLarge = imageTooLarge(info);
  if (tooLarge) return { ok: false, message: `${label} ${tooLarge}. Attach a smaller picture.` };
  const chosen = options.auto ? sizeForImage(info, options.caps) : undefined;
  const size = chosen ?? options.size;
  const { width, height } = parseSize(size);
  let fitted: Uint8Array;
  try {
    fitted =
      info.width === width && info.height === height && info.type === 'image/png'
        ? bytes
        : await fitImage({ bytes }, width, height, {
            fit: options.fit,
            ffmpegPath: options.ffmpegPath,
            inputType: info.type,
          });
  } catch {
    return {
      ok: false,
      message: `I couldn't read ${label} as an image. Try a different JPEG, PNG or WebP file.`,
    };
  }
  await mkdir(options.dir, { recursive: true });
  const path = join(options.dir, `${options.name}.png`);
  await writeFile(path, fitted);
  return { ok: true, path, size, sizeFrom: chosen ? 'image' : 'request' };
}
