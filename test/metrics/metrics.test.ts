/**
 * /metrics end to end: a real bot (playground, SQLite, the Sora client) against the emulator makes a
 * video while Prometheus text is scraped over HTTP, and the series move the way the video went:
 * jobs by state, provider requests by endpoint and outcome (a 429 of the emulator's as `429`),
 * queue wait, render and completion-to-delivery times, delivered bytes, spend. Then who may read it:
 * a public bind serves nothing without METRICS_TOKEN, and with one only to the bearer.
 */
import { rm, stat } from 'node:fs/promises';
import { fetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningBot, startBot } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { newDataDir, sendAction, sendCommand, startTestBot } from '../playground/playground-client.js';
import { type Samples, scrape, scrapeUntil, value } from './scrape.js';

const LIVE_STATES = ['accepted', 'waiting', 'submitted', 'rendering', 'downloading', 'delivering'];
const ADMIN = 'Boss';
const TOKEN = 'metrics-token-0123456789abcdef';

let bot: RunningBot | undefined;
let emulator: RunningEmulator | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await bot?.close();
  await emulator?.close();
  bot = undefined;
  emulator = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await newDataDir();
  dirs.push(dir);
  return dir;
}

const liveJobs = (s: Samples) =>
  LIVE_STATES.reduce((n, state) => n + (value(s, 'sora_jobs', { state }) ?? 0), 0);
const requests = (s: Samples, endpoint: string, outcome: string, deployment = 'default') =>
  value(s, 'sora_provider_requests_total', { deployment, endpoint, outcome }) ?? 0;

describe('/metrics while a video is made', () => {
  it('moves jobs by state, provider requests, the step timings, delivered bytes and spend', async () => {
    // Every video waits for an admin first: a state the job keeps until we act, so the gauges can be
    // read while it is there without racing the render.
    bot = await startTestBot(await dataDir(), 300, {
      SORA_APPROVAL_ABOVE: '0',
      SORA_ADMINS: `playground:${ADMIN.toLowerCase()}`,
    });
    const before = await scrape(bot.url);
    expect(liveJobs(before)).toBe(0);
    expect(value(before, 'sora_jobs_finished_total', { state: 'delivered' })).toBe(0);
    expect(value(before, 'sora_spend_dollars_total')).toBe(0);
    // Node's own series are there too.
    expect(value(before, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    const answer = await sendCommand(bot.url, 'metrics', {
      text: 'a paper boat on a rainy street',
      name: 'Ann',
    });
    if (answer.kind !== 'job') throw new Error(`expected a job, got ${JSON.stringify(answer)}`);
    const held = await scrapeUntil(bot.url, (s) => value(s, 'sora_jobs', { state: 'waiting' }) === 1);
    expect(liveJobs(held)).toBe(1);
    expect(value(held, 'sora_jobs_awaiting_approval')).toBe(1);
    // Nothing reached the provider yet.
    expect(requests(held, 'create', '2xx')).toBe(0);

    const approved = await sendAction(bot.url, 'metrics', {
      name: ADMIN,
      action: { kind: 'approve', jobId: answer.jobId },
    });
    expect(approved.kind).toBe('reply');
    const job = await bot.core.jobRecord(answer.jobId);
    const done = await scrapeUntil(
      bot.url,
      (s) =>
        value(s, 'sora_jobs_finished_total', { state: 'delivered' }) === 1 &&
        (value(s, 'sora_spend_dollars_total') ?? 0) > 0,
    );
    expect(liveJobs(done)).toBe(0);
    expect(value(done, 'sora_jobs_awaiting_approval')).toBe(0);

    // The provider: one create, status reads until it finished, the video and its thumbnail.
    expect(requests(done, 'create', '2xx')).toBe(1);
    expect(requests(done, 'retrieve', '2xx') + requests(done, 'list', '2xx')).toBeGreaterThanOrEqual(1);
    expect(requests(done, 'content', '2xx')).toBe(2);
    expect(
      value(done, 'sora_provider_request_duration_seconds_count', {
        deployment: 'default',
        endpoint: 'create',
      }),
    ).toBe(1);

    // One job through each step.
    expect(value(done, 'sora_queue_wait_seconds_count')).toBe(1);
    expect(value(done, 'sora_render_seconds_count')).toBe(1);
    expect(value(done, 'sora_delivery_seconds_count', { platform: 'playground' })).toBe(1);
    const delivered = await bot.core.jobRecord(answer.jobId);
    const mp4 = await stat(delivered!.files.video!);
    expect(value(done, 'sora_delivery_bytes_total', { platform: 'playground' })).toBe(mp4.size);
    // Spend is the job's reserved estimate, charged once it rendered; nothing refunded.
    expect(value(done, 'sora_spend_dollars_total')).toBeCloseTo(job!.cost!.micros / 1_000_000, 6);
    expect(value(done, 'sora_refunds_dollars_total')).toBe(0);
  });

  it('counts a 429 from the provider as its own outcome', async () => {
    // One render at a time at this emulator, and a long one: the bot (allowed two at once) sends a
    // second create, which the emulator refuses with 429 "Too many running tasks".
    const apiKey = 'sk-metrics-test-0123456789';
    emulator = await startEmulator({ apiKey, renderMs: 600_000, maxRunning: 1 });
    bot = await startBot(
      parseConfig({
        SORA_PROVIDER: 'openai',
        OPENAI_API_KEY: apiKey,
        OPENAI_BASE_URL: emulator.openaiBaseUrl,
        DATA_DIR: await dataDir(),
        PORT: '0',
        SORA_MAX_CONCURRENT: '2',
        SORA_MAX_RETRIES: '0',
        LOG_LEVEL: 'silent',
      }),
      { print: () => {} },
    );
    for (const name of ['Ann', 'Bob']) {
      const answer = await sendCommand(bot.url, 'busy', { text: `a lighthouse for ${name}`, name });
      expect(answer.kind).toBe('job');
    }
    const after = await scrapeUntil(bot.url, (s) => requests(s, 'create', '429') >= 1);
    expect(requests(after, 'create', '2xx')).toBe(1);
    expect(requests(after, 'create', '4xx')).toBe(0);
  });
});

describe('/metrics with several deployments (SORA_POOL)', () => {
  const pool: RunningEmulator[] = [];
  afterEach(async () => {
    await Promise.all(pool.splice(0).map((e) => e.close()));
  });

  it('labels provider series by deployment name, never by endpoint or key', async () => {
    for (const apiKey of ['sk-east-metrics', 'sk-west-metrics'])
      pool.push(await startEmulator({ apiKey, renderMs: 1_500 }));
    const [east, west] = pool as [RunningEmulator, RunningEmulator];
    bot = await startBot(
      parseConfig({
        SORA_POOL: JSON.stringify([
          {
            name: 'east',
            flavour: 'emulator',
            baseUrl: east.openaiBaseUrl,
            apiKeyEnv: 'EAST_KEY',
            maxConcurrent: 1,
          },
          {
            name: 'west',
            flavour: 'emulator',
            baseUrl: west.openaiBaseUrl,
            apiKeyEnv: 'WEST_KEY',
            maxConcurrent: 1,
          },
        ]),
        EAST_KEY: 'sk-east-metrics',
        WEST_KEY: 'sk-west-metrics',
        DATA_DIR: await dataDir(),
        PORT: '0',
        LOG_LEVEL: 'silent',
      }),
      { print: () => {} },
    );
    // Two people at once, one slot per deployment: one video is made on each.
    for (const name of ['Ann', 'Bob']) {
      const answer = await sendCommand(bot.url, 'pool', { text: `a harbour for ${name}`, name });
      expect(answer.kind).toBe('job');
    }
    const done = await scrapeUntil(
      bot.url,
      (s) => value(s, 'sora_jobs_finished_total', { state: 'delivered' }) === 2,
    );
    for (const deployment of ['east', 'west']) {
      expect(requests(done, 'create', '2xx', deployment)).toBe(1);
      expect(requests(done, 'content', '2xx', deployment)).toBe(2);
    }
    expect(requests(done, 'create', '2xx')).toBe(0);
    const text = (await (await fetch(`${bot.url}/metrics`)).text()).split('\n');
    const providerLines = text.filter((line) => line.startsWith('sora_provider_'));
    expect(providerLines.length).toBeGreaterThan(0);
    for (const line of providerLines) {
      expect(line).toMatch(/deployment="(east|west)"/);
      expect(line).not.toContain('127.0.0.1');
      expect(line).not.toContain('sk-');
    }
  });
});

describe('who may read /metrics', () => {
  async function startOn(host: string, env: Record<string, string> = {}): Promise<RunningBot> {
    return startBot(
      parseConfig({ DATA_DIR: await dataDir(), HOST: host, PORT: '0', LOG_LEVEL: 'silent', ...env }),
      { print: () => {} },
    );
  }

  it('serves nothing on a public bind without METRICS_TOKEN, and says how to turn it on', async () => {
    bot = await startOn('0.0.0.0');
    const res = await fetch(`${bot.url}/metrics`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('metrics_off');
    expect(body.error.message).toContain('HOST=0.0.0.0');
    expect(body.error.message).toContain('METRICS_TOKEN');
  });

  it('on a public bind with METRICS_TOKEN, answers only the bearer of that token', async () => {
    bot = await startOn('0.0.0.0', { METRICS_TOKEN: TOKEN });
    const none = await fetch(`${bot.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    await none.body?.cancel();
    const wrong = await fetch(`${bot.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    await wrong.body?.cancel();
    const samples = await scrape(bot.url, { authorization: `Bearer ${TOKEN}` });
    expect(value(samples, 'sora_jobs', { state: 'waiting' })).toBe(0);
  });

  it('is off everywhere with METRICS=off', async () => {
    bot = await startOn('127.0.0.1', { METRICS: 'off' });
    const res = await fetch(`${bot.url}/metrics`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('METRICS=off');
  });
});
