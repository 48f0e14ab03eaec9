/**
 * The project's own client against the emulator, in both flavours: OpenAI (`/v1`, Bearer) and Azure
 * (`/openai/v1`, api-key, deployment as model). Every call the bot makes, end to end over HTTP.
 * The emulator's clock is ours: waiting for a render moves it forward instead of sleeping.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveStreamToFile } from '../../src/cli/save-content.js';
import { SoraClient, waitForVideo } from '../../src/sora/client/index.js';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { isSoraError } from '../../src/sora/errors.js';
import { CONTENT_TYPES, CONTENT_VARIANTS, VideoSchema } from '../../src/sora/video.js';
import { probeMp4, solidPng } from '../cli/fixtures.js';

const KEY = 'sk-conformance-0123456789';
const DEPLOYMENT = 'my-sora-2-deployment';

let emulator: RunningEmulator;
let dir: string;
let nowMs = Date.UTC(2026, 10, 29, 12, 0, 0);
const advance = async (ms: number) => {
  nowMs += ms;
};

beforeAll(async () => {
  emulator = await startEmulator({ renderMs: 8_000, apiKey: KEY, clock: { now: () => nowMs } });
  dir = await mkdtemp(join(tmpdir(), 'sora-client-conformance-'));
});
afterAll(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

const flavours = [
  {
    name: 'openai',
    model: 'sora-2',
    make: () =>
      new SoraClient({ kind: 'openai', baseUrl: emulator.openaiBaseUrl, apiKey: KEY, sleep: advance }),
  },
  {
    name: 'azure',
    model: DEPLOYMENT,
    make: () =>
      new SoraClient({
        kind: 'azure',
        endpoint: emulator.azureEndpoint,
        apiKey: KEY,
        deployment: DEPLOYMENT,
        sleep: advance,
      }),
  },
] as const;

describe.each(flavours)('SoraClient ($name flavour) against the emulator', ({ name, model, make }) => {
  let client: SoraClient;
  beforeAll(() => {
    client = make();
  });
  const wait = (id: string) => waitForVideo(client, id, { sleep: advance, intervalMs: 1_000 });

  it('creates a text-to-video job, polls it to completion with the poll hint, and downloads every variant', async () => {
    expect(client.kind).toBe(name);
    const created = await client.create({
      prompt: `a red fox in the snow (${name})`,
      model: 'sora-2',
      seconds: '4',
      size: '1280x720',
    });
    expect(VideoSchema.parse(created)).toEqual(created);
    expect(created).toMatchObject({
      status: 'queued',
      progress: 0,
      model,
      size: '1280x720',
      seconds: '4',
      error: null,
    });

    const hinted = await client.retrieveWithHints(created.id);
    expect(hinted.video.id).toBe(created.id);
    expect(hinted.pollAfterMs).toBeGreaterThan(0);
    expect(hinted.requestId).toBeTruthy();

    const seen: string[] = [];
    const done = await waitForVideo(client, created.id, {
      sleep: advance,
      onProgress: (video) => seen.push(video.status),
    });
    expect(done.video.status).toBe('completed');
    expect(done.video.progress).toBe(100);
    expect(done.video.completed_at).not.toBeNull();
    expect(seen).toContain('in_progress');

    for (const variant of CONTENT_VARIANTS) {
      const content = await client.download(created.id, variant);
      expect(content.contentType).toBe(CONTENT_TYPES[variant]);
      const file = join(dir, `${name}-${variant}`);
      const bytes = await saveStreamToFile(content.stream, file);
      if (content.length !== null) expect(bytes).toBe(content.length);
      const head = (await readFile(file)).subarray(0, 12);
      if (variant === 'video') expect(head.subarray(4, 8).toString('latin1')).toBe('ftyp');
      if (variant === 'thumbnail') expect(head.subarray(8, 12).toString('latin1')).toBe('WEBP');
      if (variant === 'spritesheet') expect([...head.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    }
    const mp4 = await probeMp4(join(dir, `${name}-video`));
    expect(mp4.width).toBe(1280);
    expect(mp4.height).toBe(720);
    expect(mp4.durationSeconds).toBeCloseTo(4, 0);
  });

  it('creates an image-to-video job from a multipart input_reference', async () => {
    const image = { data: solidPng(720, 1280), contentType: 'image/png', filename: 'ref.png' };
    const created = await client.create({
      prompt: 'the sky turns orange',
      size: '720x1280',
      seconds: '4',
      image,
    });
    expect(created).toMatchObject({ status: 'queued', size: '720x1280', model });
    expect((await wait(created.id)).video.status).toBe('completed');
  });

  it('lists across several pages with the after cursor, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.create({ prompt: `page test ${i}` })).id);
    const firstPage = await client.listPage({ limit: 2 });
    expect(firstPage.data).toHaveLength(2);
    expect(firstPage.has_more).toBe(true);
    expect(firstPage.first_id).toBe(firstPage.data[0]?.id);
    expect(firstPage.last_id).toBe(firstPage.data[1]?.id);

    const all: string[] = [];
    for await (const video of client.list({ limit: 2 })) all.push(video.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all.slice(0, 5)).toEqual([...ids].reverse());
    const others = emulator.videos().filter((v) => v.model === model);
    expect(all.length).toBe(others.length);
  });

  it('remixes a completed video', async () => {
    const source = await client.create({ prompt: 'a paper boat on a pond' });
    await wait(source.id);
    const remix = await client.remix(source.id, 'the same boat, at night');
    expect(remix).toMatchObject({
      remixed_from_video_id: source.id,
      status: 'queued',
      prompt: 'the same boat, at night',
    });
    expect((await wait(remix.id)).video.status).toBe('completed');
  });

  it('deletes a video, after which it is not found', async () => {
    const created = await client.create({ prompt: 'a short-lived clip' });
    expect(await client.delete(created.id)).toEqual({
      id: created.id,
      object: 'video.deleted',
      deleted: true,
    });
    const error = await client.retrieve(created.id).catch((e: unknown) => e);
    expect(isSoraError(error) && error.code).toBe('not_found');
  });

  it('reports moderation as a failed job with moderation_blocked', async () => {
    const created = await client.create({ prompt: 'pikachu dancing in the rain' });
    expect(created.status).toBe('queued');
    const done = await wait(created.id);
    expect(done.video.status).toBe('failed');
    expect(done.video.error?.code).toBe('moderation_blocked');
  });
});

describe('the downloaded files', () => {
  it('were streamed to disk, not left as .part files', async () => {
    for (const { name } of flavours) {
      await expect(stat(join(dir, `${name}-video`))).resolves.toBeTruthy();
      await expect(stat(join(dir, `${name}-video.part`))).rejects.toThrow();
    }
  });
});
