/**
 * Identifies an image from its first bytes (magic numbers) and reads its pixel size, without decoding
 * it and without any dependency. Used to validate chat attachments and `input_reference` uploads: the
 * Videos API accepts JPEG, PNG and WebP only, at exactly the requested size (docs/sora-api.md),
 * and a filename or a declared Content-Type is not evidence of either.
 *
 * Formats: PNG (IHDR), JPEG (first SOFn frame header), WebP (RIFF container with a `VP8 ` lossy,
 * `VP8L` lossless or `VP8X` extended first chunk).
 */
export const SNIFFED_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type SniffedImageType = (typeof SNIFFED_IMAGE_TYPES)[number];

export interface ImageInfo {
  type: SniffedImageType;
  width: number;
  height: number;
  /** Present (true) only for an animated WebP; a caller wanting a still image can refuse or flatten it. */
  animated?: true;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  if (offset + length > bytes.length) return '';
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

function u16be(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function u32be(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;
}

function u24le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16);
}

function sized(type: SniffedImageType, width: number, height: number): ImageInfo | undefined {
  return width > 0 && height > 0 ? { type, width, height } : undefined;
}

function sniffPng(b: Uint8Array): ImageInfo | undefined {
  // Signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4).
  if (b.length < 24 || ascii(b, 12, 4) !== 'IHDR') return undefined;
  return sized('image/png', u32be(b, 16), u32be(b, 20));
}

/** Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function sniffJpeg(b: Uint8Array): ImageInfo | undefined {
  let offset = 2;
  while (offset + 4 <= b.length) {
    if (b[offset] !== 0xff) return undefined;
    let marker = b[offset + 1]!;
    // 0xFF may be repeated as fill before a marker.
    while (marker === 0xff && offset + 2 < b.length) {
      offset += 1;
      marker = b[offset + 1]!;
    }
    // Standalone markers have no length field.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      offset += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image / start of scan before any frame
    const length = u16be(b, offset + 2);
    if (length < 2) return undefined;
    if (isStartOfFrame(marker)) {
      if (offset + 9 > b.length) return undefined;
      return sized('image/jpeg', u16be(b, offset + 7), u16be(b, offset + 5));
    }
    offset += 2 + length;
  }
  return undefined;
}

function sniffWebp(b: Uint8Array): ImageInfo | undefined {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') {
    // Frame tag (3 bytes at 20), start code 9D 01 2A, then 14-bit width and height (little endian).
    if (b.length < 30 || b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return sized('image/webp', (b[26]! | (b[27]! << 8)) & 0x3fff, (b[28]! | (b[29]! << 8)) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    // Signature 0x2F, then width-1 (14 bits) and height-1 (14 bits), little endian bit order.
    if (b.length < 25 || b[20] !== 0x2f) return undefined;
    const bits = (b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24)) >>> 0;
    return sized('image/webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') {
    // Flags (1) + reserved (3), then canvas width-1 and height-1 as 24-bit little endian.
    if (b.length < 30) return undefined;
    const info = sized('image/webp', u24le(b, 24) + 1, u24le(b, 27) + 1);
    // Flags byte: bit 1 (0x02) is the animation flag.
    return info && b[20]! & 0x02 ? { ...info, animated: true } : info;
  }
  return undefined;
}

/**
 * The image's type and pixel size, or undefined when the bytes are not a PNG, JPEG or WebP whose header
 * can be read (truncated, corrupt, or another format).
 */
export function sniffImage(bytes: Uint8Array): ImageInfo | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((value, i) => bytes[i] === value)) return sniffPng(bytes);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return sniffJpeg(bytes);
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return sniffWebp(bytes);
  return undefined;
}

/** Just the type, from the magic numbers alone (also for images whose size cannot be read). */
export function sniffImageType(bytes: Uint8Array): SniffedImageType | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((value, i) => bytes[i] === value)) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'image/webp';
  return undefined;
}

/**
 * What the bot agrees to decode. A PNG or WebP of a huge canvas is a few hundred kilobytes on the wire
 * and gigabytes once decoded (a decompression bomb), so the pixel size is read from the header and
 * checked before any decoder (ffmpeg) sees the bytes. 40 megapixels is well above any phone photo
 * (a 48 MP sensor saves 12 MP by default) and 8,192 pixels a side above any screen.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;
export const MAX_IMAGE_SIDE = 8192;

/** A sentence for the person when the image is too large to decode, else undefined. */
export function imageTooLarge(info: Pick<ImageInfo, 'width' | 'height'>): string | undefined {
  if (info.width > MAX_IMAGE_SIDE || info.height > MAX_IMAGE_SIDE)
    return `is ${info.width}x${info.height} pixels; images can be at most ${MAX_IMAGE_SIDE} pixels a side`;
  if (info.width * info.height > MAX_IMAGE_PIXELS)
    return `is ${((info.width * info.height) / 1e6).toFixed(0)} megapixels; images can be at most ${MAX_IMAGE_PIXELS / 1e6} megapixels`;
  return undefined;
}

/** ffmpeg's demuxer for a sniffed type, so it never guesses the format itself. */
export function ffmpegDemuxer(type: SniffedImageType): string {
  return type === 'image/png' ? 'png_pipe' : type === 'image/jpeg' ? 'jpeg_pipe' : 'webp_pipe';
}
