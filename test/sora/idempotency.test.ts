/**
 * "A paid call happens once": create and remix always carry an `Idempotency-Key`, the same on every
 * retry; a retry after a lost answer gets the original job; a 2xx of the wrong shape is never repeated.
 * The real client against a scripted wire server (to see every request) and against the emulator
 * (which honours the key like the real API, and can lose the answer of a job it created).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveFlavour } from '../../src/sora/client/flavour.js';
import { HttpTransport, SoraClient, type SoraClientOptions } from '../../src/sora/client/index.js';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { isSoraError, type SoraError } from '../../src/sora/errors.js';
import { VideoSchema } from '../../src/sora/video.js';
import { apiError, closeScriptedServers, hangUp, json, scriptedServer, VIDEO } from './scripted-server.js';

const KEY = 'sk-idempotency-test-0123456789';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const running: RunningEmulator[] = [];
const tempDirs: string[] = [];
afterEach(async () => {
  closeScriptedServers();
  await Promise.all(running.splice(0).map((e) => e.close()));
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function failure(promise: Promise<unknown>): Promise<SoraError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSoraError(error)) throw new Error(`expected a SoraError, got ${String(error)}`);
  return error;
}

type Flavour = 'openai' | 'azure';

/** A client whose sleeps are recorded (and move `clock`, when given) instead of waiting. */
function makeClient(
  flavour: Flavour,
  base: { openaiBaseUrl: string; azureEndpoint: string },
  extra: Partial<SoraClientOptions> & { clock?: { t: number } } = {},
) {
  const sleeps: number[] = [];
  const { clock, ...options } = extra;
  const client = new SoraClient({
    ...(flavour === 'openai'
      ? { kind: 'openai', baseUrl: base.openaiBaseUrl, apiKey: KEY }
      : { kind: 'azure', endpoint: base.azureEndpoint, apiKey: KEY, deployment: 'sora-2' }),
    maxRetries: 3,
    timeoutMs: 2_000,
    random: () => 0.5,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      if (clock) clock.t += ms;
    },
    ...options,
  } as SoraClientOptions);
  return { client, sleeps };
}

const wireBase = (url: string) => ({ openaiBaseUrl: `${url}/v1`, azureEndpoint: url });

describe('Idempotency-Key on the wire', () => {
  it('sends one key on every attempt of a create (502, dropped, timed out), a fresh key per call', async () => {
    const server = await scriptedServer([apiError(502, 'Bad gateway'), hangUp, () => {}, json(200, VIDEO)]);
    const { client, sleeps } = makeClient('openai', wireBase(server.url), { timeoutMs: 200 });
    expect((await client.create({ prompt: 'a fox' })).id).toBe('video_1');
    expect(sleeps).toHaveLength(3);
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(4);
    expect(keys[0]).toMatch(UUID);
    expect(new Set(keys)).toEqual(new Set([keys[0]]));

    await client.create({ prompt: 'a fox' });
    const next = server.requests[4]!.headers['idempotency-key'];
    expect(next).toMatch(UUID);
    expect(next).not.toBe(keys[0]);
  });

  it("sends the caller's key on a remix and on its retries", async () => {
    const server = await scriptedServer([apiError(500, 'boom'), json(200, VIDEO)]);
    const { client } = makeClient('openai', wireBase(server.url));
    await client.remix('video_0', 'in the rain', { idempotencyKey: 'job_42:remix' });
    expect(server.requests.map((r) => [r.method, r.url, r.headers['idempotency-key']])).toEqual([
      ['POST', '/v1/videos/video_0/remix', 'job_42:remix'],
      ['POST', '/v1/videos/video_0/remix', 'job_42:remix'],
    ]);
  });

  it('sends the header on the Azure flavour too, with its api-key and the same key on the retry', async () => {
    const server = await scriptedServer([apiError(503, 'busy'), json(200, VIDEO)]);
    const { client } = makeClient('azure', wireBase(server.url));
    await client.create({ prompt: 'a fox' }, { idempotencyKey: 'job_7' });
    await client.remix('video_1', 'at night');
    const [first, second, remix] = server.requests;
    expect(first?.url).toBe('/openai/v1/videos');
    expect(first?.headers['api-key']).toBe(KEY);
    expect([first?.headers['idempotency-key'], second?.headers['idempotency-key']]).toEqual([
      'job_7',
      'job_7',
    ]);
    expect(remix?.url).toBe('/openai/v1/videos/video_1/remix');
    expect(remix?.headers['idempotency-key']).toMatch(UUID);
  });

  it('never repeats a create or remix whose 2xx body fails validation: invalid_response, not retryable', async () => {
    const server = await scriptedServer([json(200, { ...VIDEO, progress: 'half' })]);
    const { client, sleeps } = makeClient('openai', wireBase(server.url), { maxRetries: 8 });
    const created = await failure(client.create({ prompt: 'a fox' }));
    expect(created).toMatchObject({ code: 'invalid_response', status: 200, retryable: false });
    expect(created.message).toContain('progress');
    expect(server.requests).toHaveLength(1);

    const notJson = await scriptedServer([
      (_req, _body, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>proxy login</html>');
      },
    ]);
    const remixed = await failure(makeClient('azure', wireBase(notJson.url)).client.remix('video_1', 'x'));
    expect(remixed).toMatchObject({ code: 'invalid_response', retryable: false });
    expect(notJson.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('refuses a key that cannot travel in a header before sending anything', async () => {
    const server = await scriptedServer([json(200, VIDEO)]);
    const { client } = makeClient('openai', wireBase(server.url));
    for (const idempotencyKey of ['', 'has space', 'line\nbreak', 'x'.repeat(256)])
      expect(await failure(client.create({ prompt: 'a fox' }, { idempotencyKey }))).toMatchObject({
        code: 'invalid_request',
        retryable: false,
      });
    expect(server.requests).toHaveLength(0);
  });

  it('without a key the transport never repeats a POST that may have reached the provider', async () => {
    const post = async (handlers: Parameters<typeof scriptedServer>[0]) => {
      const server = await scriptedServer(handlers);
      const flavour = resolveFlavour({ kind: 'openai', baseUrl: `${server.url}/v1`, apiKey: KEY });
      const transport = new HttpTransport({
        flavour,
        timeoutMs: 2_000,
        maxRetries: 3,
        sleep: async () => {},
      });
      const call = { method: 'POST' as const, path: '/videos', json: { prompt: 'a fox' } };
      const outcome = await transport.sendJson(call, VideoSchema).then(
        (response) => response.value.id,
        (error: SoraError) => error.code,
      );
      return { outcome, requests: server.requests.length };
    };
    expect(await post([hangUp, json(200, VIDEO)])).toEqual({ outcome: 'network', requests: 1 });
    expect(await post([apiError(502, 'Bad gateway'), json(200, VIDEO)])).toEqual({
      outcome: 'server',
      requests: 1,
    });
    // A 429 started nothing: waiting and asking again is safe.
    expect(await post([apiError(429, 'slow down'), json(200, VIDEO)])).toEqual({
      outcome: 'video_1',
      requests: 2,
    });
  });
});

/** An emulator on a clock that the client's sleeps move forward. */
async function emulator(options: EmulatorOptions = {}) {
  const clock = { t: Date.UTC(2026, 10, 30, 9, 0, 0) };
  const emu = await startEmulator({ renderMs: 1_000, clock: { now: () => clock.t }, ...options });
  running.push(emu);
  return {
    emu,
    clock,
    client: (flavour: Flavour, extra: Partial<SoraClientOptions> = {}) =>
      makeClient(flavour, emu, { clock, ...extra }),
  };
}

describe.each(['openai', 'azure'] as const)('Idempotency-Key at the emulator (%s flavour)', (flavour) => {
  it('a job created behind a 502 is returned by the retry, and exactly one job exists', async () => {
    const { emu, clock, client } = await emulator({ faults: { failAfterCreateRate: 1 } });
    const { client: c, sleeps } = client(flavour);
    const created = await c.create({ prompt: 'a fox on a bike' });
    expect(sleeps).toHaveLength(1);
    expect(emu.videos().map((v) => v.id)).toEqual([created.id]);
    expect(created).toMatchObject({ status: 'queued', prompt: 'a fox on a bike' });

    clock.t += 1_000;
    const remixed = await c.remix(created.id, 'in the snow');
    expect(sleeps).toHaveLength(2);
    expect(remixed.remixed_from_video_id).toBe(created.id);
    expect(emu.videos().map((v) => v.id)).toEqual([created.id, remixed.id]);
  });

  it('answers a repeat with the original video: no new job, no count against the limits', async () => {
    const { emu, client } = await emulator({ requestsPerMinute: 1, maxRunning: 1 });
    const { client: c, sleeps } = client(flavour, { maxRetries: 0 });
    const first = await c.create({ prompt: 'a fox', size: '1280x720' }, { idempotencyKey: 'job_1' });
    const again = await c.create({ size: '1280x720', prompt: 'a fox' }, { idempotencyKey: 'job_1' });
    expect(again).toEqual(first);
    expect(emu.videos()).toHaveLength(1);
    expect(sleeps).toEqual([]);
    // The limits are still there for a new key.
    expect((await failure(c.create({ prompt: 'a fox' }, { idempotencyKey: 'job_2' }))).code).toBe(
      'rate_limited',
    );
  });

  it('refuses the same key with other parameters (422, not retried), on create and on remix', async () => {
    const { emu, clock, client } = await emulator();
    const { client: c, sleeps } = client(flavour);
    const source = await c.create({ prompt: 'a fox' }, { idempotencyKey: 'job_3' });
    const reused = await failure(c.create({ prompt: 'a wolf' }, { idempotencyKey: 'job_3' }));
    expect(reused).toMatchObject({
      code: 'invalid_request',
      status: 422,
      providerCode: 'idempotency_key_reused',
      retryable: false,
    });
    expect(reused.message).toContain('Idempotency key reused with different parameters');
    clock.t += 1_000;
    await c.remix(source.id, 'at dusk', { idempotencyKey: 'job_4' });
    expect((await failure(c.remix(source.id, 'at dawn', { idempotencyKey: 'job_4' }))).status).toBe(422);
    expect((await failure(c.remix(source.id, 'at dusk', { idempotencyKey: 'job_3' }))).status).toBe(422);
    expect(sleeps).toEqual([]);
    expect(emu.videos()).toHaveLength(2);
  });
});

describe('the emulator’s idempotency keys', () => {
  const post = (emu: RunningEmulator, headers: Record<string, string>, body: unknown = { prompt: 'a fox' }) =>
    fetch(`${emu.openaiBaseUrl}/videos`, {
      method: 'POST',
      headers: { authorization: 'Bearer key-a', 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('marks a replay, and without a key the 502 fault costs a second job', async () => {
    const { emu } = await emulator({ faults: { failAfterCreateRate: 1 } });
    const lost = await post(emu, { 'idempotency-key': 'k' });
    expect(lost.status).toBe(502);
    expect(await lost.text()).toContain('Bad Gateway');
    const replay = await post(emu, { 'idempotency-key': 'k' });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(VideoSchema.parse(await replay.json()).id).toBe(emu.videos()[0]?.id);

    expect((await post(emu, {})).status).toBe(502);
    expect((await post(emu, {})).status).toBe(502);
    expect(emu.videos()).toHaveLength(3);
  });

  it('keeps keys per API key and flavour, for 24 hours', async () => {
    const { emu, clock, client } = await emulator({ maxRunning: 100 });
    const ids = async (key: string) => {
      const a = client('openai', { apiKey: `${key}-1` }).client;
      const b = client('openai', { apiKey: `${key}-2` }).client;
      const azure = client('azure', { apiKey: `${key}-1` }).client;
      return Promise.all(
        [a, b, azure].map(async (c) => (await c.create({ prompt: 'x' }, { idempotencyKey: 'same' })).id),
      );
    };
    const first = await ids('sk');
    expect(new Set(first).size).toBe(3);
    clock.t += 24 * 60 * 60 * 1000 - 1;
    expect(await ids('sk')).toEqual(first);
    clock.t += 1;
    const later = await ids('sk');
    expect(later.filter((id) => first.includes(id))).toEqual([]);
    expect(emu.videos()).toHaveLength(6);
  });

  it('keeps its keys across a restart with a stateFile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sora-idem-'));
    tempDirs.push(dir);
    const stateFile = join(dir, 'jobs.json');
    const before = await emulator({ stateFile });
    const created = await before
      .client('openai')
      .client.create({ prompt: 'a fox' }, { idempotencyKey: 'job_9' });
    await before.emu.close();
    const after = await emulator({ stateFile });
    const again = await after
      .client('openai')
      .client.create({ prompt: 'a fox' }, { idempotencyKey: 'job_9' });
    expect(again.id).toBe(created.id);
    expect(after.emu.videos()).toHaveLength(1);
  });

  it('refuses a malformed key with a 400', async () => {
    const { emu } = await emulator();
    const response = await post(emu, { 'idempotency-key': 'x'.repeat(256) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_idempotency_key',
    );
    expect(emu.videos()).toEqual([]);
  });
});

describe('a video without its prompt', () => {
  it('is what the omitPrompt fault serves on retrieve and list, and the client reads it as null', async () => {
    const { emu, client } = await emulator({ faults: { omitPrompt: true } });
    const { client: c } = client('openai');
    const created = await c.create({ prompt: 'a fox' });
    expect(created.prompt).toBe('a fox');
    const raw = await fetch(`${emu.openaiBaseUrl}/videos/${created.id}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    const body = (await raw.json()) as Record<string, unknown>;
    expect('prompt' in body).toBe(false);
    expect(body.id).toBe(created.id);
    expect((await c.retrieve(created.id)).prompt).toBeNull();
    expect((await c.listPage()).data.map((v) => [v.id, v.prompt])).toEqual([[created.id, null]]);
  });
});
