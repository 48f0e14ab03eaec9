/**
 * Reads the type and pixel size of a reference image from its first bytes, so a wrong file is refused
 * before the request: the service takes JPEG, PNG or WebP only and answers 400 "Inpaint image must
 * match the requested width and height" when the pixels differ from `size` (../shared/docs/sora-api.md).
 */
export interface ImageInfo {
  contentType: 'image/jpeg' | 'image/png' | 'image/webp';
  width: number;
  height: number;
}

export function probeImage(bytes: Uint8Array): ImageInfo | undefined {
  return probePng(bytes) ?? probeJpeg(bytes) ?? probeWebp(bytes);
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function probePng(b: Uint8Array): ImageInfo | undefined {
  if (b.length < 24 || !PNG_SIGNATURE.every((v, i) => b[i] === v)) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  // The first chunk is always IHDR: width and height as big-endian uint32 at 16 and 20.
  return { contentType: 'image/png', width: view.getUint32(16), height: view.getUint32(20) };
}

/** Start-of-frame markers carry the frame size (all except DHT C4, JPG C8 and DAC CC). */
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function probeJpeg(b: Uint8Array): ImageInfo | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    const length = (b[i + 2]! << 8) | b[i + 3]!;
    if (SOF_MARKERS.has(marker)) {
      const height = (b[i + 5]! << 8) | b[i + 6]!;
      const width = (b[i + 7]! << 8) | b[i + 8]!;
      return { contentType: 'image/jpeg', width, height };
    }
    i += 2 + length;
  }
  return undefined;
}

const ascii = (b: Uint8Array, at: number, text: string) =>
  [...text].every((c, k) => b[at + k] === c.charCodeAt(0));

function probeWebp(b: Uint8Array): ImageInfo | undefined {
  if (b.length < 30 || !ascii(b, 0, 'RIFF') || !ascii(b, 8, 'WEBP')) return undefined;
  const u16 = (at: number) => b[at]! | (b[at + 1]! << 8);
  const u24 = (at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
  if (ascii(b, 12, 'VP8X')) return { contentType: 'image/webp', width: u24(24) + 1, height: u24(27) + 1 };
  if (ascii(b, 12, 'VP8L')) {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return { contentType: 'image/webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (ascii(b, 12, 'VP8 '))
    return { contentType: 'image/webp', width: u16(26) & 0x3fff, height: u16(28) & 0x3fff };
  return undefined;
}
