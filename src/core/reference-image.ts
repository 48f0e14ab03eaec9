/**
 * Turns a person's attachment into a reference image the provider will accept: downloaded at once
 * (platform links expire), checked from its bytes (not its declared type or name), then scaled and
 * centre-cropped to exactly the requested size, because the provider rejects any other pixel size.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fitImage } from '../media/fit-image.js';
import { imageTooLarge, sniffImage } from '../media/image-info.js';
import type { ModelCapabilities } from '../sora/capabilities.js';
import { parseSize } from '../sora/video.js';
import { type Attachment, AttachmentError } from './intents.js';

export type ReferenceImageResult = { ok: true; path: string } | { ok: false; message: string };

export async function prepareReferenceImage(
  attachment: Attachment,
  options: {
    size: string;
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
  const { width, height } = parseSize(options.size);
  let fitted: Uint8Array;
  try {
    fitted =
      info.width === width && info.height === height && info.type === 'image/png'
        ? bytes
        : await fitImage({ bytes }, width, height, { ffmpegPath: options.ffmpegPath, inputType: info.type });
  } catch {
    return {
      ok: false,
      message: `I couldn't read ${label} as an image. Try a different JPEG, PNG or WebP file.`,
    };
  }
  await mkdir(options.dir, { recursive: true });
  const path = join(options.dir, `${options.name}.png`);
  await writeFile(path, fitted);
  return { ok: true, path };
}
