/** The emulator's per-key limits (429s), per-flavour auth (401s) and seeded fault injection. */
import { afterEach, describe, expect, it } from 'vitest';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { ApiErrorBodySchema, VideoSchema } from '../../src/sora/video.js';

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
});

async function emulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const emu = await startEmulator(options);
  running.push(emu);
  return emu;
}

function manualClock() {
  const clock = { t: Date.UTC(2026, 10, 2, 9, 0, 0), now: () => clock.t };
  return clock;
}

function post(
  emu: RunningEmulator,
  headers: Record<string, string> = { authorization: 'Bearer key-1' },
  azure = false,
) {
  const base = azure ? `${emu.azureEndpoint}/openai/v1` : emu.openaiBaseUrl;
  return fetch(`${base}/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ prompt: 'a paper boat on a stream' }),
  });
}

async function errorOf(response: Response) {
  return ApiErrorBodySchema.parse(await response.json()).error;
}

describe('limits', () => {
  it('answers 429 "Too many running tasks" with retry-after above maxRunning, per key', async () => {
    const clock = manualClock();
    const emu = await emulator({ maxRunning: 2, renderMs: 30_000, clock });
    expect((await post(emu)).status).toBe(200);
    clock.t += 1000;
    expect((await post(emu)).status).toBe(200);
    const refused = await post(emu);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('29');
    expect(refused.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await errorOf(refused)).toMatchObject({
      message: 'Too many running tasks',
      code: 'too_many_running_tasks',
    });
    // Another key (another project) has its own quota.
    expect((await post(emu, { authorization: 'Bearer key-2' })).status).toBe(200);
    clock.t += 29_000;
    expect((await post(emu)).status).toBe(200);
  });

  it('answers 429 with retry-after and retry-after-ms above requestsPerMinute in a rolling minute', async () => {
    const clock = manualClock();
    const emu = await emulator({ requestsPerMinute: 2, renderMs: 100, clock });
    expect((await post(emu)).status).toBe(200);
    clock.t += 20_000;
    expect((await post(emu)).status).toBe(200);
    clock.t += 10_000;
    const refused = await post(emu);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after-ms')).toBe('30000');
    expect(refused.headers.get('retry-after')).toBe('30');
    expect((await errorOf(refused)).code).toBe('rate_limit_exceeded');
    clock.t += 30_000;
    expect((await post(emu)).status).toBe(200);
    // The refused request did not count: one slot is used (at +20 s), one is free.
    expect((await post(emu)).status).toBe(429);
  });
});

describe('auth', () => {
  it('requires the configured key on each flavour, in its own header, and never echoes it', async () => {
    const emu = await emulator({ apiKey: 'sk-emulator-secret', renderMs: 100 });
    expect((await post(emu, { authorization: 'Bearer sk-emulator-secret' })).status).toBe(200);
    const wrong = await post(emu, { authorization: 'Bearer sk-wrong-value' });
    expect(wrong.status).toBe(401);
    const text = JSON.stringify(await errorOf(wrong));
    expect(text).toContain('invalid_api_key');
    expect(text).not.toContain('sk-wrong-value');
    expect((await post(emu, {})).status).toBe(401);
    // OpenAI paths ignore api-key; Azure paths ignore Authorization.
    expect((await post(emu, { 'api-key': 'sk-emulator-secret' })).status).toBe(401);
    expect((await post(emu, { 'api-key': 'sk-emulator-secret' }, true)).status).toBe(200);
    expect((await post(emu, { authorization: 'Bearer sk-emulator-secret' }, true)).status).toBe(401);
    expect((await post(emu, { 'api-key': 'nope' }, true)).status).toBe(401);
  });

  it('accepts any non-empty key when none is configured, but not a missing one', async () => {
    const emu = await emulator({ renderMs: 100 });
    expect((await post(emu, { authorization: 'Bearer anything' })).status).toBe(200);
    expect((await post(emu, { 'api-key': 'whatever' }, true)).status).toBe(200);
    expect((await post(emu, {})).status).toBe(401);
    expect((await post(emu, { authorization: 'Bearer ' })).status).toBe(401);
    expect((await post(emu, { 'api-key': '' }, true)).status).toBe(401);
    const health = await fetch(`${emu.url}/healthz`);
    expect(await health.json()).toEqual({ ok: true });
  });
});

describe('faults', () => {
  async function statuses(emu: RunningEmulator, count: number): Promise<(number | 'dropped')[]> {
    const out: (number | 'dropped')[] = [];
    for (let i = 0; i < count; i += 1) {
      try {
        const response = await fetch(`${emu.openaiBaseUrl}/videos?limit=1`, {
          headers: { authorization: 'Bearer k', connection: 'close' },
        });
        await response.arrayBuffer();
        out.push(response.status);
      } catch {
        out.push('dropped');
      }
    }
    return out;
  }

  it('injects 500s and dropped connections deterministically from the seed', async () => {
    const options = { renderMs: 100, faults: { errorRate: 0.3, dropRate: 0.2, latencyMs: 5, seed: 42 } };
    const first = await statuses(await emulator(options), 30);
    const second = await statuses(await emulator(options), 30);
    expect(second).toEqual(first);
    expect(first).toContain(200);
    expect(first).toContain(500);
    expect(first).toContain('dropped');
    const other = await statuses(await emulator({ ...options, faults: { ...options.faults, seed: 7 } }), 30);
    expect(other).not.toEqual(first);
  });

  it('answers an injected failure with the server_error envelope and a request id', async () => {
    const emu = await emulator({ renderMs: 100, faults: { errorRate: 1 } });
    const response = await post(emu);
    expect(response.status).toBe(500);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect((await errorOf(response)).type).toBe('server_error');
    expect(emu.videos()).toEqual([]);
  });

  it('serves a content override stream instead of rendering', async () => {
    const { Readable } = await import('node:stream');
    const clock = manualClock();
    const emu = await emulator({
      renderMs: 100,
      clock,
      contentOverride: (id, variant) =>
        variant === 'video' ? Readable.from([Buffer.from(`synthetic ${id}`)]) : undefined,
    });
    const video = VideoSchema.parse(await (await post(emu)).json());
    clock.t += 100;
    const content = await fetch(`${emu.openaiBaseUrl}/videos/${video.id}/content`, {
      headers: { authorization: 'Bearer key-1' },
    });
    expect(content.headers.get('content-type')).toBe('video/mp4');
    expect(await content.text()).toBe(`synthetic ${video.id}`);
  });

  it('refuses invalid options with the option name', async () => {
    await expect(startEmulator({ faults: { errorRate: 2 } })).rejects.toThrow(/faults\.errorRate/);
    await expect(startEmulator({ webhook: { url: 'http://127.0.0.1:1/', secret: 'plain' } })).rejects.toThrow(
      /webhook\.secret/,
    );
  });
});
