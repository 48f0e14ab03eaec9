/**
 * The emulator over real HTTP with an injected clock: lifecycle, validation, moderation, expiry,
 * remix, delete, list pagination and content. Limits, auth and faults: emulator-limits.test.ts;
 * webhooks: emulator-webhooks.test.ts; the official SDK: conformance-sdk.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffImage } from '../../src/media/image-info.js';
import { moderatePrompt, type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import {
  ApiErrorBodySchema,
  VideoDeletedSchema,
  VideoListSchema,
  VideoSchema,
} from '../../src/sora/video.js';
import { makeImage } from '../media/image-fixtures.js';

const RENDER_MS = 10_000;
const clock = { t: Date.UTC(2026, 10, 1, 12, 0, 0), now: () => clock.t };
const advance = (ms: number) => {
  clock.t += ms;
};

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ renderMs: RENDER_MS, clock, maxRunning: 1000 });
});
afterAll(async () => {
  await emu.close();
});

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  bytes: Buffer;
}

async function call(
  path: string,
  init: RequestInit & { key?: string; azure?: boolean } = {},
): Promise<Answer> {
  const { key = 'key-a', azure = false, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (azure) headers.set('api-key', key);
  else headers.set('authorization', `Bearer ${key}`);
  if (typeof rest.body === 'string') headers.set('content-type', 'application/json');
  const base = azure ? `${emu.azureEndpoint}/openai/v1` : emu.openaiBaseUrl;
  const response = await fetch(`${base}${path}`, { ...rest, headers });
  const bytes = Buffer.from(await response.arrayBuffer());
  const isJson = response.headers.get('content-type')?.startsWith('application/json');
  return {
    status: response.status,
    headers: response.headers,
    body: isJson ? JSON.parse(bytes.toString()) : undefined,
    bytes,
  };
}

const create = (body: Record<string, unknown>, init: { key?: string; azure?: boolean; path?: string } = {}) =>
  call(init.path ?? '/videos', { method: 'POST', body: JSON.stringify(body), ...init });

function errorOf(answer: Answer) {
  return ApiErrorBodySchema.parse(answer.body).error;
}

async function createVideo(body: Record<string, unknown>, key?: string) {
  const answer = await create(body, key === undefined ? {} : { key });
  expect(answer.status).toBe(200);
  return VideoSchema.parse(answer.body);
}

describe('lifecycle driven by the clock', () => {
  it('goes queued -> in_progress -> completed, then its content expires', async () => {
    const created = await create({ prompt: 'a lighthouse at dawn, waves, gulls', seconds: '4' });
    expect(created.status).toBe(200);
    expect(created.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    const video = VideoSchema.parse(created.body);
    expect(video).toMatchObject({
      object: 'video',
      model: 'sora-2',
      status: 'queued',
      progress: 0,
      size: '720x1280',
      seconds: '4',
      completed_at: null,
      expires_at: null,
      error: null,
      remixed_from_video_id: null,
    });
    expect(video.id).toMatch(/^video_/);
    expect(video.created_at).toBe(Math.floor(clock.t / 1000));

    advance(RENDER_MS / 2);
    const half = await call(`/videos/${video.id}`);
    expect(VideoSchema.parse(half.body)).toMatchObject({ status: 'in_progress', progress: 50 });
    expect(Number(half.headers.get('openai-poll-after-ms'))).toBeGreaterThan(0);
    expect((await call(`/videos/${video.id}/content`)).status).toBe(404);

    advance(RENDER_MS / 2);
    const done = await call(`/videos/${video.id}`);
    const completed = VideoSchema.parse(done.body);
    expect(completed).toMatchObject({ status: 'completed', progress: 100, error: null });
    expect(done.headers.get('openai-poll-after-ms')).toBeNull();
    expect(completed.completed_at).toBe(Math.floor(clock.t / 1000));
    expect(completed.expires_at).toBe(completed.completed_at! + 3600);

    const thumbnail = await call(`/videos/${video.id}/content?variant=thumbnail`);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(Number(thumbnail.headers.get('content-length'))).toBe(thumbnail.bytes.length);
    expect(sniffImage(thumbnail.bytes)).toEqual({ type: 'image/webp', width: 720, height: 1280 });

    advance(3_600_000);
    const expired = await call(`/videos/${video.id}/content?variant=thumbnail`);
    expect(expired.status).toBe(404);
    expect(errorOf(expired).code).toBe('content_expired');
    expect(VideoSchema.parse((await call(`/videos/${video.id}`)).body).status).toBe('completed');
    expect(emu.videos().some((v) => v.id === video.id)).toBe(true);
  });

  it('serves a spritesheet JPEG and rejects an unknown variant', async () => {
    const video = await createVideo({ prompt: 'sprites of a running fox', size: '1280x720' });
    advance(RENDER_MS);
    const sheet = await call(`/videos/${video.id}/content?variant=spritesheet`);
    expect(sheet.status).toBe(200);
    expect(sheet.headers.get('content-type')).toBe('image/jpeg');
    expect(sniffImage(sheet.bytes)?.type).toBe('image/jpeg');
    const bad = await call(`/videos/${video.id}/content?variant=gif`);
    expect(bad.status).toBe(400);
    expect(errorOf(bad).param).toBe('variant');
    expect((await call('/videos/video_nope/content')).status).toBe(404);
  });
});

describe('validation (400 invalid_request_error with param)', () => {
  it.each([
    [{ prompt: 'x', size: '1792x1024' }, 'size'],
    [{ prompt: 'x', size: '1920x1080' }, 'size'],
    [{ prompt: 'x', seconds: '5' }, 'seconds'],
    [{ prompt: 'x', seconds: 4 }, 'seconds'],
    [{ prompt: 'x', model: 'dall-e-3' }, 'model'],
    [{ prompt: 'x', n: 2 }, 'n'],
    [{ prompt: '' }, 'prompt'],
    [{ prompt: 'y'.repeat(32_001) }, 'prompt'],
    [{ size: '720x1280' }, 'prompt'],
    [{ prompt: 'x', input_reference: { file_id: 'file-123' } }, 'input_reference.file_id'],
  ])('rejects %j on param %s', async (body, param) => {
    const answer = await create(body);
    expect(answer.status).toBe(400);
    const error = errorOf(answer);
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe(param);
    expect(answer.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('accepts the limits and the pro sizes for sora-2-pro and snapshots', async () => {
    expect((await create({ prompt: 'y'.repeat(32_000) })).status).toBe(200);
    const pro = await createVideo({
      prompt: 'a wide canyon',
      model: 'sora-2-pro',
      size: '1792x1024',
      seconds: '12',
    });
    expect(pro).toMatchObject({ model: 'sora-2-pro', size: '1792x1024', seconds: '12' });
    expect((await createVideo({ prompt: 'x', model: 'sora-2-2025-10-06', seconds: '8' })).model).toBe(
      'sora-2-2025-10-06',
    );
  });

  it('rejects a body that is not JSON, or not a JSON object', async () => {
    const answer = await call('/videos', { method: 'POST', body: '{not json' });
    expect(answer.status).toBe(400);
    expect(errorOf(answer).message).toContain('could not parse the JSON body');
    const array = await call('/videos', { method: 'POST', body: '[1, 2]' });
    expect(array.status).toBe(400);
    expect(errorOf(array)).toMatchObject({ param: null, message: expect.stringContaining('JSON object') });
  });

  it('checks input_reference from the bytes: type and exact size', async () => {
    const form = (image: Uint8Array, filename: string, size = '720x1280') => {
      const data = new FormData();
      data.set('prompt', 'the picture comes alive');
      data.set('size', size);
      data.set('input_reference', new Blob([image], { type: 'image/png' }), filename);
      return call('/videos', { method: 'POST', body: data });
    };
    // JPEG bytes under a .png name and image/png type: the bytes decide, and JPEG is allowed.
    expect((await form(await makeImage('jpeg', 720, 1280), 'photo.png')).status).toBe(200);
    const wrongSize = await form(await makeImage('png', 1280, 720), 'wide.png');
    expect(wrongSize.status).toBe(400);
    expect(errorOf(wrongSize)).toMatchObject({
      message: 'Inpaint image must match the requested width and height',
      type: 'invalid_request_error',
      param: 'input_reference',
    });
    const gif = await form(await makeImage('gif', 720, 1280), 'anim.png');
    expect(gif.status).toBe(400);
    expect(errorOf(gif).code).toBe('invalid_image_format');
    const dataUrl = `data:image/webp;base64,${Buffer.from(await makeImage('webp-lossy', 1280, 720)).toString('base64')}`;
    expect(
      (await create({ prompt: 'x', size: '1280x720', input_reference: { image_url: dataUrl } })).status,
    ).toBe(200);
    const remote = await create({ prompt: 'x', input_reference: { image_url: 'https://example.com/a.png' } });
    expect(remote.status).toBe(400);
  });

  it('renders image-to-video on the uploaded image', async () => {
    const data = new FormData();
    data.set('prompt', 'still life');
    data.set('size', '1280x720');
    data.set('input_reference', new Blob([await makeImage('png', 1280, 720)]), 'still.png');
    const video = VideoSchema.parse((await call('/videos', { method: 'POST', body: data })).body);
    advance(RENDER_MS);
    const thumbnail = await call(`/videos/${video.id}/content?variant=thumbnail`);
    expect(sniffImage(thumbnail.bytes)).toEqual({ type: 'image/webp', width: 1280, height: 720 });
    const plain = await createVideo({ prompt: 'still life', size: '1280x720' });
    advance(RENDER_MS);
    const plainThumbnail = await call(`/videos/${plain.id}/content?variant=thumbnail`);
    expect(plainThumbnail.bytes.equals(thumbnail.bytes)).toBe(false);
  });
  it('falls back to the generated background when the accepted image cannot be decoded (animated WebP)', async () => {
    const data = new FormData();
    data.set('prompt', 'animated reference');
    data.set('input_reference', new Blob([await makeImage('webp-animated', 720, 1280)]), 'anim.webp');
    const created = await call('/videos', { method: 'POST', body: data });
    expect(created.status).toBe(200);
    advance(RENDER_MS);
    const thumbnail = await call(`/videos/${VideoSchema.parse(created.body).id}/content?variant=thumbnail`);
    expect(thumbnail.status).toBe(200);
    expect(sniffImage(thumbnail.bytes)).toEqual({ type: 'image/webp', width: 720, height: 1280 });
  });
});

describe('Azure flavour', () => {
  it('takes any deployment name as sora-2, ignores api-version, and uses the Azure size table', async () => {
    const ok = await create(
      { prompt: 'x', model: 'my-sora-deployment' },
      { azure: true, path: '/videos?api-version=preview' },
    );
    expect(ok.status).toBe(200);
    expect(VideoSchema.parse(ok.body).model).toBe('my-sora-deployment');
    expect((await create({ prompt: 'x', model: 'production-sora' }, { azure: true })).status).toBe(200);
    const pro = await create({ prompt: 'x', model: 'sora-2-pro' }, { azure: true });
    expect(pro.status).toBe(400);
    expect(errorOf(pro).param).toBe('model');
    const size = await create({ prompt: 'x', size: '1792x1024' }, { azure: true });
    expect(errorOf(size).param).toBe('size');
  });

  it('keeps Azure and OpenAI callers apart even with the same key', async () => {
    const video = VideoSchema.parse((await create({ prompt: 'azure only' }, { azure: true })).body);
    expect((await call(`/videos/${video.id}`, { azure: true })).status).toBe(200);
    expect((await call(`/videos/${video.id}`)).status).toBe(404);
  });
});

describe('moderation', () => {
  it.each([
    ['Taylor Swift singing on a stage', 'real_person'],
    ['SPIDER–MAN swinging between towers!', 'copyrighted_character'],
    ['an orchestra plays the Star Wars theme', 'copyrighted_music'],
    ['a nude figure on a beach', 'adult'],
  ])('blocks %j (%s) after accepting it', async (prompt, category) => {
    expect(moderatePrompt(prompt)).toMatchObject({ blocked: true, category });
    const video = await createVideo({ prompt });
    expect(video.status).toBe('queued');
    advance(RENDER_MS);
    const failed = VideoSchema.parse((await call(`/videos/${video.id}`)).body);
    expect(failed).toMatchObject({
      status: 'failed',
      expires_at: null,
      error: { code: 'moderation_blocked', message: 'Your request was blocked by our moderation system.' },
    });
    expect((await call(`/videos/${video.id}/content`)).status).toBe(404);
  });

  it('matches whole words only', () => {
    expect(moderatePrompt('nudes and sexton bells, a swiftly moving taylor').blocked).toBe(false);
    expect(moderatePrompt('Beyoncé on stage').blocked).toBe(true);
  });

  it('fails a job on the [emulator:fail] marker with internal_error', async () => {
    const video = await createVideo({ prompt: 'a calm lake [emulator:fail]' });
    advance(RENDER_MS);
    const failed = VideoSchema.parse((await call(`/videos/${video.id}`)).body);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('internal_error');
  });
});

describe('remix and delete', () => {
  it('remixes only completed videos and keeps size, seconds and model', async () => {
    const source = await createVideo({
      prompt: 'a red kite',
      model: 'sora-2-pro',
      size: '1024x1792',
      seconds: '8',
    });
    const early = await call(`/videos/${source.id}/remix`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'blue' }),
    });
    expect(early.status).toBe(400);
    const unknown = await call('/videos/video_missing/remix', {
      method: 'POST',
      body: JSON.stringify({ prompt: 'x' }),
    });
    expect(unknown.status).toBe(404);
    advance(RENDER_MS);
    const remix = await call(`/videos/${source.id}/remix`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'make the kite blue' }),
    });
    expect(remix.status).toBe(200);
    expect(VideoSchema.parse(remix.body)).toMatchObject({
      status: 'queued',
      prompt: 'make the kite blue',
      model: 'sora-2-pro',
      size: '1024x1792',
      seconds: '8',
      remixed_from_video_id: source.id,
    });
    const noPrompt = await call(`/videos/${source.id}/remix`, { method: 'POST', body: JSON.stringify({}) });
    expect(errorOf(noPrompt).param).toBe('prompt');
  });

  it('deletes a video at any status; afterwards it is a 404', async () => {
    const video = await createVideo({ prompt: 'to be deleted' });
    const deleted = await call(`/videos/${video.id}`, { method: 'DELETE' });
    expect(VideoDeletedSchema.parse(deleted.body)).toEqual({
      id: video.id,
      object: 'video.deleted',
      deleted: true,
    });
    expect((await call(`/videos/${video.id}`)).status).toBe(404);
    expect((await call(`/videos/${video.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(emu.videos().some((v) => v.id === video.id)).toBe(false);
  });

  it('answers an unknown path with the Invalid URL envelope', async () => {
    const answer = await call('/videos/a/b/c');
    expect(answer.status).toBe(404);
    expect(errorOf(answer).message).toBe('Invalid URL (GET /v1/videos/a/b/c)');
    expect((await call('/videos/edits', { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await call('/videos/%E0%A4%A')).status).toBe(404);
  });
});

describe('list', () => {
  const key = 'key-list';
  const ids: string[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 5; i += 1) {
      ids.push((await createVideo({ prompt: `clip ${i}` }, key)).id);
      advance(1000);
    }
  });

  it('pages newest first with after/limit/has_more', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const answer = await call(`/videos?limit=2${after ? `&after=${after}` : ''}`, { key });
      const list = VideoListSchema.parse(answer.body);
      seen.push(...list.data.map((v) => v.id));
      expect(list.first_id).toBe(list.data[0]?.id ?? null);
      expect(list.last_id).toBe(list.data.at(-1)?.id ?? null);
      if (!list.has_more) break;
      after = list.last_id!;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it('orders ascending on request, defaults to 20, and validates the query', async () => {
    const asc = VideoListSchema.parse((await call('/videos?order=asc', { key })).body);
    expect(asc.data.map((v) => v.id)).toEqual(ids);
    expect(asc.has_more).toBe(false);
    for (const query of ['limit=101', 'limit=-1', 'limit=abc', 'order=sideways', 'after=video_unknown']) {
      const answer = await call(`/videos?${query}`, { key });
      expect(answer.status, query).toBe(400);
    }
    expect(VideoListSchema.parse((await call('/videos?limit=100', { key })).body).data).toHaveLength(5);
  });

  it('shows each key only its own videos', async () => {
    const other = VideoListSchema.parse((await call('/videos', { key: 'key-nobody' })).body);
    expect(other).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
  });
});
