/** `video create` option checks, in process: every refusal is one line for a person, before any request. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCreateRequest, type CreateOptionsInput } from '../../src/cli/video-options.js';
import { sniffImage } from '../../src/media/image-info.js';
import { CAPABILITIES } from '../../src/sora/capabilities.js';
import { solidPng } from './fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sora-video-options-'));
  await writeFile(join(dir, 'portrait.png'), solidPng(720, 1280));
  await writeFile(join(dir, 'wide.png'), solidPng(1280, 720));
  await writeFile(join(dir, 'fake.jpg'), 'GIF89a, not a jpeg');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type OptionsConfig = {
  SORA_PROVIDER: 'openai' | 'azure';
  SORA_MODEL: string;
  AZURE_OPENAI_DEPLOYMENT: string;
};
const openai: OptionsConfig = {
  SORA_PROVIDER: 'openai',
  SORA_MODEL: 'sora-2',
  AZURE_OPENAI_DEPLOYMENT: 'sora-2',
};
const azure: OptionsConfig = {
  SORA_PROVIDER: 'azure',
  SORA_MODEL: 'sora-2',
  AZURE_OPENAI_DEPLOYMENT: 'team-video',
};

async function problemOf(input: CreateOptionsInput, config: OptionsConfig = openai) {
  const caps = CAPABILITIES[config.SORA_PROVIDER];
  const result = await buildCreateRequest(input, config, caps);
  return result.ok ? undefined : result.message;
}

describe('buildCreateRequest', () => {
  it('fills the model defaults and keeps what was asked', async () => {
    const result = await buildCreateRequest({ prompt: '  a fox  ' }, openai, CAPABILITIES.openai);
    expect(result).toEqual({
      ok: true,
      value: { prompt: 'a fox', model: 'sora-2', size: '720x1280', seconds: '4' },
    });
    const pro = await buildCreateRequest(
      { prompt: 'a fox', model: 'sora-2-pro', size: '1792x1024', seconds: '12' },
      openai,
      CAPABILITIES.openai,
    );
    expect(pro.ok && pro.value).toMatchObject({ model: 'sora-2-pro', size: '1792x1024', seconds: '12' });
  });

  it('reads a reference image with its sniffed type', async () => {
    const result = await buildCreateRequest(
      { prompt: 'a fox', image: join(dir, 'portrait.png') },
      openai,
      CAPABILITIES.openai,
    );
    expect(result.ok && result.value.image).toMatchObject({
      contentType: 'image/png',
      filename: 'portrait.png',
    });
  });

  it.each([
    [{ prompt: '' }, '--prompt is required: describe the video to make'],
    [
      { prompt: 'a fox', size: '1792x1024' },
      '--size 1792x1024 is not available for sora-2: use one of 720x1280, 1280x720',
    ],
    [{ prompt: 'a fox', seconds: '5' }, '--seconds 5 is not available for sora-2: use one of 4, 8, 12'],
    [{ prompt: 'x'.repeat(40_000) }, 'the prompt has 40000 characters; the limit is 32000'],
    [{ prompt: 'a fox', model: 'sora-3' }, 'unknown model "sora-3": use one of sora-2, sora-2-pro'],
    [
      { prompt: 'a fox', image: '/nonexistent/fox.png' },
      '--image /nonexistent/fox.png cannot be read (ENOENT)',
    ],
  ])('refuses %o with a readable line', async (input, message) => {
    expect(await problemOf(input)).toBe(message);
  });

  it('refuses images that are not images, and an unknown fit', async () => {
    expect(await problemOf({ prompt: 'a fox', image: join(dir, 'fake.jpg') })).toBe(
      `--image ${join(dir, 'fake.jpg')} is not a JPEG, PNG or WebP image`,
    );
    expect(await problemOf({ prompt: 'a fox', image: dir })).toBe(`--image ${dir} is not a file`);
    expect(await problemOf({ prompt: 'a fox', image: join(dir, 'wide.png'), fit: 'stretch' })).toMatch(
      /^--fit must be cover .* or contain/,
    );
  });

  it('lets the image decide the frame without --size, and fits it to a size asked for', async () => {
    const wide = await buildCreateRequest(
      { prompt: 'a fox', image: join(dir, 'wide.png') },
      openai,
      CAPABILITIES.openai,
    );
    expect(wide.ok && { size: wide.value.size, bytes: wide.value.image?.data.byteLength }).toEqual({
      size: '1280x720',
      bytes: solidPng(1280, 720).byteLength,
    });
    for (const fit of ['cover', 'contain']) {
      const tall = await buildCreateRequest(
        { prompt: 'a fox', image: join(dir, 'wide.png'), size: '720x1280', fit },
        openai,
        CAPABILITIES.openai,
      );
      if (!tall.ok) throw new Error(tall.message);
      expect(tall.value.size).toBe('720x1280');
      expect(sniffImage(tall.value.image!.data)).toEqual({ type: 'image/png', width: 720, height: 1280 });
      expect(tall.value.image?.filename).toBe('wide.png');
    }
  });

  it('treats any Azure deployment name as sora-2 and refuses sora-2-pro there', async () => {
    expect(await problemOf({ prompt: 'a fox', size: '1280x720' }, azure)).toBeUndefined();
    expect(await problemOf({ prompt: 'a fox', model: 'sora-2-pro' }, azure)).toBe(
      'azure does not serve sora-2-pro: use sora-2',
    );
    expect(
      await problemOf({ prompt: 'a fox' }, { ...azure, AZURE_OPENAI_DEPLOYMENT: 'sora-2-pro-east' }),
    ).toBe('azure does not serve sora-2-pro: use sora-2');
  });
});
