/**
 * The client's failure handling against the emulator (both flavours): each error maps to its stable
 * code, retries honour the provider's waits (an injected sleep moves the emulator's clock instead of
 * waiting), faults and timeouts are survived or reported, and the key never leaks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SoraClient, type SoraClientOptions, waitForVideo } from '../../src/sora/client/index.js';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { isSoraError, type SoraError } from '../../src/sora/errors.js';
import { createProvider } from '../../src/sora/index.js';

const KEY = 'sk-client-test-SECRET-abcdef987654';

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

interface Harness {
  emulator: RunningEmulator;
  sleeps: number[];
  logLines: string[];
  /** Moves the emulator's clock, like the client's sleeps do. */
  advance(ms: number): Promise<void>;
  client(flavour: 'openai' | 'azure', extra?: Partial<SoraClientOptions>): SoraClient;
}

/** An emulator on a clock the client's sleeps move forward (unless `realSleeps`), and a log recorder. */
async function harness(options: EmulatorOptions = {}, { clockFollowsSleeps = true } = {}): Promise<Harness> {
  let nowMs = Date.UTC(2026, 10, 29, 12, 0, 0);
  const emulator = await startEmulator({
    renderMs: 4_000,
    apiKey: KEY,
    clock: { now: () => nowMs },
    ...options,
  });
  running.push(emulator);
  const sleeps: number[] = [];
  const logLines: string[] = [];
  const log = (level: string) => (fields: object, message?: string) =>
    logLines.push(`${level} ${message ?? ''} ${JSON.stringify(fields)}`);
  const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    if (clockFollowsSleeps) nowMs += ms;
  };
  return {
    emulator,
    sleeps,
    logLines,
    advance: async (ms) => {
      nowMs += ms;
    },
    client: (flavour, extra = {}) =>
      new SoraClient({
        ...(flavour === 'openai'
          ? { kind: 'openai', baseUrl: emulator.openaiBaseUrl, apiKey: KEY }
          : { kind: 'azure', endpoint: emulator.azureEndpoint, apiKey: KEY, deployment: 'sora-2' }),
        logger,
        sleep,
        random: () => 0.5,
        maxRetries: 3,
        timeoutMs: 5_000,
        ...extra,
      } as SoraClientOptions),
  };
}

async function failure(promise: Promise<unknown>): Promise<SoraError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSoraError(error)) throw new Error(`expected a SoraError, got ${String(error)}`);
  return error;
}

describe.each(['openai', 'azure'] as const)('SoraClient errors (%s flavour)', (flavour) => {
  it('maps a bad size to invalid_request with the provider param and request id, without retrying', async () => {
    const h = await harness();
    const error = await failure(h.client(flavour).create({ prompt: 'a fox', size: '999x999' }));
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, param: 'size', retryable: false });
    expect(error.requestId).toBeTruthy();
    expect(h.sleeps).toEqual([]);
  });

  it('maps an unknown id to not_found', async () => {
    const h = await harness();
    const error = await failure(h.client(flavour).retrieve('video_does_not_exist'));
    expect(error).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('maps a wrong key to auth, and never shows either key', async () => {
    const h = await harness();
    const wrongKey = 'sk-wrong-key-SECRET-000111222';
    const error = await failure(h.client(flavour, { apiKey: wrongKey }).listPage({ limit: 1 }));
    expect(error).toMatchObject({ code: 'auth', status: 401, retryable: false });
    for (const text of [error.message, error.stack ?? '', error.toOneLine(), ...h.logLines]) {
      expect(text).not.toContain(wrongKey);
      expect(text).not.toContain(KEY);
    }
  });

  it('retries a 429 after the retry-after-ms the provider sent, then succeeds', async () => {
    const h = await harness({ requestsPerMinute: 1 });
    const client = h.client(flavour);
    await client.create({ prompt: 'first' });
    const second = await client.create({ prompt: 'second' });
    expect(second.status).toBe('queued');
    // The emulator asks for the rest of its rolling minute; the (fake) clock moved exactly that far.
    expect(h.sleeps).toHaveLength(1);
    expect(h.sleeps[0]).toBe(60_000);
    expect(
      h.logLines.some(
        (line) => line.startsWith('warn sora request retried') && line.includes('"status":429'),
      ),
    ).toBe(true);
  });

  it('gives up with rate_limited once its retries are spent', async () => {
    const h = await harness({ maxRunning: 1 }, { clockFollowsSleeps: false });
    const client = h.client(flavour, { maxRetries: 2 });
    await client.create({ prompt: 'occupies the only slot' });
    const error = await failure(client.create({ prompt: 'waits in vain' }));
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryable: true });
    expect(error.message).toContain('Too many running tasks');
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(h.sleeps).toHaveLength(2);
  });

  it('survives injected 500s and dropped connections by retrying', async () => {
    const h = await harness({ faults: { errorRate: 0.3, dropRate: 0.1, seed: 7 } });
    const client = h.client(flavour, { maxRetries: 8 });
    // GETs here; creates and remixes behind lost answers: idempotency.test.ts.
    for (let i = 0; i < 12; i++) expect((await client.listPage({ limit: 1 })).object).toBe('list');
    expect(h.sleeps.length).toBeGreaterThan(0);
    expect(h.logLines.some((line) => line.includes('"code":"network"'))).toBe(true);
    expect(h.logLines.some((line) => line.includes('"status":500'))).toBe(true);
  });

  it('reports server after retries when every answer is a 500', async () => {
    const h = await harness({ faults: { errorRate: 1, seed: 1 } });
    const error = await failure(h.client(flavour, { maxRetries: 2 }).retrieve('video_x'));
    expect(error).toMatchObject({ code: 'server', status: 500 });
    expect(h.sleeps).toHaveLength(2);
  });

  it('times out a slow provider with code timeout', async () => {
    const h = await harness({ faults: { latencyMs: 1_000 } });
    const error = await failure(h.client(flavour, { timeoutMs: 150, maxRetries: 1 }).listPage());
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(h.sleeps).toHaveLength(1);
  });

  it('reports a refused connection as network after retrying', async () => {
    const h = await harness();
    const client = h.client(flavour, { maxRetries: 2 });
    await h.emulator.close();
    const error = await failure(client.listPage());
    expect(error.code).toBe('network');
    expect(error.message).toContain('ECONNREFUSED');
    expect(h.sleeps).toHaveLength(2);
  });

  it('ends a moderated prompt as a failed video with moderation_blocked', async () => {
    const h = await harness();
    const client = h.client(flavour);
    const created = await client.create({ prompt: 'darth vader at the beach' });
    const { video } = await waitForVideo(client, created.id, { sleep: h.advance });
    expect(video).toMatchObject({ status: 'failed', error: { code: 'moderation_blocked' } });
  });
});

describe('the key stays secret', () => {
  it('appears in no error message, stack or log line, whatever fails', async () => {
    const h = await harness({ faults: { errorRate: 1, seed: 3 } });
    const errors: SoraError[] = [];
    for (const flavour of ['openai', 'azure'] as const) {
      const client = h.client(flavour, { maxRetries: 1 });
      errors.push(await failure(client.retrieve('video_x')));
    }
    const healthy = await harness();
    for (const flavour of ['openai', 'azure'] as const)
      errors.push(
        await failure(healthy.client(flavour, { apiKey: 'sk-other', maxRetries: 0 }).retrieve('video_x')),
      );
    const slow = await harness({ faults: { latencyMs: 1_000 } });
    errors.push(await failure(slow.client('openai', { timeoutMs: 100, maxRetries: 0 }).listPage()));
    const closed = await harness({ renderMs: 0 });
    const refused = closed.client('azure', { maxRetries: 0 });
    const ok = await refused.create({ prompt: 'a fox' });
    errors.push(await failure(refused.create({ prompt: 'x', size: '1x1' })));
    errors.push(await failure(refused.remix(ok.id, 'pikachu'.repeat(10_000))));
    await closed.emulator.close();
    errors.push(await failure(refused.retrieve(ok.id)));
    expect(new Set(errors.map((e) => e.code))).toEqual(
      new Set(['server', 'auth', 'timeout', 'invalid_request', 'network']),
    );
    for (const error of errors) {
      for (const text of [error.message, error.stack ?? '', error.toOneLine(), JSON.stringify(error)])
        expect(text).not.toContain(KEY);
    }
    const logs = [...h.logLines, ...healthy.logLines, ...slow.logLines, ...closed.logLines];
    expect(logs.length).toBeGreaterThan(5);
    for (const line of logs) expect(line).not.toContain(KEY);
  });
});

describe('createProvider', () => {
  const base = {
    SORA_REQUEST_TIMEOUT_MS: 5_000,
    SORA_MAX_RETRIES: 0,
    OPENAI_BASE_URL: 'https://api.openai.com/v1',
    AZURE_OPENAI_DEPLOYMENT: 'sora-2',
  };

  it('builds each flavour from the configuration and talks to the emulator with it', async () => {
    const h = await harness();
    const openai = createProvider({
      ...base,
      SORA_PROVIDER: 'openai',
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: h.emulator.openaiBaseUrl,
    });
    const azure = createProvider({
      ...base,
      SORA_PROVIDER: 'azure',
      AZURE_OPENAI_ENDPOINT: h.emulator.azureEndpoint,
      AZURE_OPENAI_API_KEY: KEY,
      AZURE_OPENAI_DEPLOYMENT: 'team-sora',
    });
    expect([openai.kind, azure.kind]).toEqual(['openai', 'azure']);
    expect(azure.capabilities.models['sora-2-pro']).toBeUndefined();
    expect((await openai.create({ prompt: 'a', model: 'sora-2-pro', size: '1792x1024' })).model).toBe(
      'sora-2-pro',
    );
    expect((await azure.create({ prompt: 'b', model: 'sora-2' })).model).toBe('team-sora');
  });

  it('needs a running emulator URL for the emulator provider', async () => {
    const h = await harness({ apiKey: undefined });
    expect(() => createProvider({ ...base, SORA_PROVIDER: 'emulator' })).toThrow(/emulatorUrl/);
    const emulator = createProvider({ ...base, SORA_PROVIDER: 'emulator' }, { emulatorUrl: h.emulator.url });
    expect(emulator.kind).toBe('emulator');
    expect((await emulator.listPage({ limit: 1 })).object).toBe('list');
  });
});
