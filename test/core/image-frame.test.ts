/**
 * The picture decides the frame: with no size asked for, an attached landscape picture makes a
 * landscape video and a portrait one a portrait video, the status says so, the estimate reserved is
 * the chosen size's, and `--fit contain` keeps the whole picture. Real core, store, client and
 * emulator (which refuses a reference image of any other pixel size than the video's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PriceTable, parsePrices } from '../../src/core/pricing.js';
import { sizeForImage } from '../../src/core/reference-image.js';
import { renderPlainText } from '../../src/core/render-text.js';
import { SORA_2, SORA_2_PRO } from '../../src/sora/capabilities.js';
import { makeImage } from '../media/image-fixtures.js';
import { CoreHarness } from '../support/core-harness.js';

let h: CoreHarness;
let landscapePng: Uint8Array;
let portraitJpeg: Uint8Array;
let squarePng: Uint8Array;

// Landscape costs more than portrait here, so a reservation made before the frame was chosen shows.
const prices = new PriceTable(parsePrices('sora-2@1280x720=0.25 sora-2@720x1280=0.10'));

beforeAll(async () => {
  [landscapePng, portraitJpeg, squarePng] = await Promise.all([
    makeImage('png', 1600, 900),
    makeImage('jpeg', 600, 1000),
    makeImage('png', 500, 500),
  ]);
  h = await CoreHarness.start({ budgets: { prices } });
});

afterAll(async () => {
  await h?.close();
});

function attached(name: string, bytes: Uint8Array, contentType: string) {
  return { filename: name, contentType, bytes: bytes.byteLength, fetch: async () => bytes };
}

async function statusText(jobId: string): Promise<string> {
  const status = await h.until(() => h.surface.statusOf(jobId));
  return renderPlainText(status);
}

describe('the picture decides the frame when no size is given', () => {
  it('makes a landscape video of a landscape PNG, says so, and reserves the landscape price', async () => {
    const id = await h.sendJob('a harbour at dawn', {
      attachment: attached('harbour.png', landscapePng, 'image/png'),
    });
    const job = await h.waitFor(id, ['delivered']);
    expect(job.request).toMatchObject({ size: '1280x720', sizeFrom: 'image', fit: 'cover' });
    expect(job.cost?.micros).toBe(h.core.estimateCost({ model: 'sora-2', size: '1280x720', seconds: '4' }));
    expect(job.cost?.micros).toBe(1_000_000);
    expect(await statusText(id)).toContain('1280x720 · sora-2 · landscape, from your image');
  });

  it('makes a portrait video of a portrait JPEG', async () => {
    const id = await h.sendJob('a lighthouse keeper waves --seconds 8', {
      attachment: attached('keeper.jpg', portraitJpeg, 'image/jpeg'),
    });
    const job = await h.waitFor(id, ['delivered']);
    expect(job.request).toMatchObject({ size: '720x1280', sizeFrom: 'image', seconds: '8' });
    expect(await statusText(id)).toContain('portrait, from your image');
  });

  it('keeps the size asked for, and the default for a square picture', async () => {
    const asked = await h.sendJob('a harbour, tall --portrait', {
      attachment: attached('harbour.png', landscapePng, 'image/png'),
    });
    const square = await h.sendJob('a tile spinning', {
      attachment: attached('tile.png', squarePng, 'image/png'),
    });
    for (const id of [asked, square]) {
      const job = await h.waitFor(id, ['delivered']);
      expect(job.request).toMatchObject({ size: '720x1280', sizeFrom: 'request' });
      expect(await statusText(id)).toContain('720x1280 · sora-2 · from an image');
    }
  });

  it('fits the whole picture with --fit contain, and says so', async () => {
    const id = await h.sendJob('a harbour at dusk --portrait --fit contain', {
      attachment: attached('harbour.png', landscapePng, 'image/png'),
    });
    const job = await h.waitFor(id, ['delivered']);
    expect(job.request).toMatchObject({ size: '720x1280', fit: 'contain' });
    expect(await statusText(id)).toContain('from an image (whole image, with bars)');
  });

  it('a prompt without a picture keeps the default frame and says nothing of one', async () => {
    const id = await h.sendJob('a harbour at noon');
    const job = await h.waitFor(id, ['delivered']);
    expect(job.request).toMatchObject({ size: '720x1280', sizeFrom: 'request' });
    expect(await statusText(id)).not.toContain('image');
  });
});

describe('sizeForImage', () => {
  it('takes the orientation of the picture at the resolution of the default', () => {
    expect(sizeForImage({ width: 1600, height: 900 }, SORA_2)).toBe('1280x720');
    expect(sizeForImage({ width: 900, height: 1600 }, SORA_2)).toBe('720x1280');
    expect(sizeForImage({ width: 500, height: 500 }, SORA_2)).toBeUndefined();
    expect(sizeForImage({ width: 3000, height: 1000 }, { ...SORA_2_PRO, defaultSize: '1024x1792' })).toBe(
      '1792x1024',
    );
    // No twin at the default's resolution: the default stays.
    expect(sizeForImage({ width: 2, height: 1 }, { defaultSize: '720x1280', sizes: ['720x1280'] })).toBe(
      undefined,
    );
  });
});
