/**
 * Conformance: the official `openai` SDK (an independent client) drives the emulator through every
 * Videos operation and error path, and the downloaded MP4 is checked with mp4box (size, duration, an
 * H.264 and an AAC track). If the emulator drifted from the real wire format, the SDK would notice.
 */
import { createFile, type Movie, MP4BoxBuffer } from 'mp4box';
import OpenAI, { AzureOpenAI, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffImage } from '../../src/media/image-info.js';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { type Video, VideoDeletedSchema, VideoSchema } from '../../src/sora/video.js';
import { makeImage } from '../media/image-fixtures.js';

const API_KEY = 'test';
let emu: RunningEmulator;
let client: OpenAI;

beforeAll(async () => {
  emu = await startEmulator({ renderMs: 150, apiKey: API_KEY });
  client = new OpenAI({ baseURL: emu.openaiBaseUrl, apiKey: API_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await emu.close();
});

/** Polls like a careful client: waits what `openai-poll-after-ms` says, at most 100 times. */
async function untilFinished(sdk: OpenAI, id: string): Promise<Video> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const { data, response } = await sdk.videos.retrieve(id).withResponse();
    const video = VideoSchema.parse(data);
    if (video.status === 'completed' || video.status === 'failed') return video;
    const wait = Number(response.headers.get('openai-poll-after-ms') ?? 100);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  throw new Error(`video ${id} did not finish`);
}

function probeMp4(bytes: ArrayBuffer): Movie {
  const file = createFile();
  let info: Movie | undefined;
  let failure: string | undefined;
  file.onReady = (movie) => {
    info = movie;
  };
  file.onError = (_module: string, message: string) => {
    failure = message;
  };
  file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes, 0));
  file.flush();
  if (!info) throw new Error(`mp4box could not read the file: ${failure ?? 'no moov box'}`);
  return info;
}

function expectMp4(bytes: ArrayBuffer, width: number, height: number, seconds: number) {
  const movie = probeMp4(bytes);
  expect(Math.abs(movie.duration / movie.timescale - seconds)).toBeLessThanOrEqual(0.2);
  expect(movie.videoTracks).toHaveLength(1);
  const video = movie.videoTracks[0]!;
  expect(video.codec).toMatch(/^avc1\./);
  expect([video.video?.width, video.video?.height]).toEqual([width, height]);
  expect(movie.audioTracks).toHaveLength(1);
  expect(movie.audioTracks[0]!.codec).toMatch(/^mp4a/);
  // faststart: the moov box precedes the media data, so players start before the download ends.
  const head = Buffer.from(bytes.slice(0, 4096)).toString('latin1');
  expect(head.indexOf('moov')).toBeGreaterThan(-1);
  expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat') === -1 ? Infinity : head.indexOf('mdat'));
}

describe('the official openai SDK against the emulator', () => {
  let textVideo: Video;

  it('creates from text, polls to completion and downloads every variant', async () => {
    const created = await client.videos.create({ prompt: 'a paper plane over a city at dusk', seconds: '4' });
    expect(VideoSchema.parse(created)).toMatchObject({ status: 'queued', size: '720x1280', seconds: '4' });
    textVideo = await untilFinished(client, created.id);
    expect(textVideo.status).toBe('completed');
    expect(textVideo.expires_at).toBeGreaterThan(textVideo.completed_at!);

    const mp4 = await client.videos.downloadContent(created.id);
    expect(mp4.headers.get('content-type')).toBe('video/mp4');
    const mp4Bytes = await mp4.arrayBuffer();
    expect(Number(mp4.headers.get('content-length'))).toBe(mp4Bytes.byteLength);
    expectMp4(mp4Bytes, 720, 1280, 4);

    const thumbnail = await client.videos.downloadContent(created.id, { variant: 'thumbnail' });
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(sniffImage(new Uint8Array(await thumbnail.arrayBuffer()))).toEqual({
      type: 'image/webp',
      width: 720,
      height: 1280,
    });
    const sheet = await client.videos.downloadContent(created.id, { variant: 'spritesheet' });
    expect(sheet.headers.get('content-type')).toBe('image/jpeg');
    expect(sniffImage(new Uint8Array(await sheet.arrayBuffer()))?.type).toBe('image/jpeg');
  });

  it('creates from an image (input_reference as a File) at the landscape size', async () => {
    const image = await toFile(await makeImage('jpeg', 1280, 720), 'reference.jpg', { type: 'image/jpeg' });
    const created = await client.videos.create({
      prompt: 'the photo slowly comes alive',
      size: '1280x720',
      seconds: '8',
      input_reference: image,
    });
    const done = await untilFinished(client, created.id);
    expect(done).toMatchObject({ status: 'completed', size: '1280x720', seconds: '8' });
    const mp4 = await client.videos.downloadContent(created.id, { variant: 'video' });
    expectMp4(await mp4.arrayBuffer(), 1280, 720, 8);
  });

  it('remixes a completed video', async () => {
    const remix = await client.videos.remix(textVideo.id, { prompt: 'the same plane, at night' });
    expect(VideoSchema.parse(remix)).toMatchObject({
      remixed_from_video_id: textVideo.id,
      size: textVideo.size,
      seconds: textVideo.seconds,
      model: textVideo.model,
    });
    expect((await untilFinished(client, remix.id)).status).toBe('completed');
  });

  it('auto-paginates the list across several pages, newest first', async () => {
    for (let i = 0; i < 3; i += 1) await client.videos.create({ prompt: `list filler ${i}` });
    const expected = emu
      .videos()
      .map((v) => v.id)
      .reverse();
    expect(expected.length).toBeGreaterThanOrEqual(6);
    const seen: string[] = [];
    for await (const video of client.videos.list({ limit: 2 })) seen.push(VideoSchema.parse(video).id);
    expect(seen).toEqual(expected);
    let pages = 0;
    for await (const page of (await client.videos.list({ limit: 2 })).iterPages()) {
      pages += 1;
      expect(page.data.length).toBeLessThanOrEqual(2);
    }
    expect(pages).toBe(Math.ceil(expected.length / 2));
  });

  it('deletes a video; retrieving it afterwards is a NotFoundError', async () => {
    const video = await client.videos.create({ prompt: 'short lived' });
    const deleted = await client.videos.delete(video.id);
    expect(VideoDeletedSchema.parse(deleted)).toEqual({
      id: video.id,
      object: 'video.deleted',
      deleted: true,
    });
    await expect(client.videos.retrieve(video.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('maps the error paths to the SDK error classes', async () => {
    const badSize = await client.videos.create({ prompt: 'x', size: '1792x1024' }).catch((e: unknown) => e);
    expect(badSize).toBeInstanceOf(OpenAI.BadRequestError);
    expect(badSize).toMatchObject({ status: 400, param: 'size', type: 'invalid_request_error' });
    expect((badSize as InstanceType<typeof OpenAI.BadRequestError>).requestID).toMatch(/^req_/);

    const unknown = await client.videos.retrieve('video_does_not_exist').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    const content = await client.videos.downloadContent('video_does_not_exist').catch((e: unknown) => e);
    expect(content).toBeInstanceOf(OpenAI.NotFoundError);

    const wrongKey = new OpenAI({ baseURL: emu.openaiBaseUrl, apiKey: 'wrong', maxRetries: 0 });
    const auth = await wrongKey.videos.list().catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(auth).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('surfaces 429 as a RateLimitError carrying retry-after', async () => {
    const limited = await startEmulator({ renderMs: 60_000, maxRunning: 1 });
    try {
      const sdk = new OpenAI({ baseURL: limited.openaiBaseUrl, apiKey: 'any', maxRetries: 0 });
      await sdk.videos.create({ prompt: 'first' });
      const error = await sdk.videos.create({ prompt: 'second' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
      expect(rateLimit.message).toContain('Too many running tasks');
      expect(Number(rateLimit.headers?.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('serves the Azure path to the SDK AzureOpenAI client (api-key header, api-version query)', async () => {
    const azure = new AzureOpenAI({
      baseURL: `${emu.azureEndpoint}/openai/v1`,
      apiKey: API_KEY,
      apiVersion: 'preview',
      maxRetries: 0,
    });
    const created = await azure.videos.create({ prompt: 'a quiet harbour', model: 'my-sora-2' });
    expect(created.model).toBe('my-sora-2');
    const done = await untilFinished(azure, created.id);
    expect(done.status).toBe('completed');
    const pro = await azure.videos.create({ prompt: 'x', model: 'sora-2-pro' }).catch((e: unknown) => e);
    expect(pro).toBeInstanceOf(OpenAI.BadRequestError);
  });
});
